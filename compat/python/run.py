"""The Hyperping Python SDK (PyPI `hyperping`, pinned in requirements.txt) against a real Vigil.

Run by compat/run.ts (`npm run compat -- python`), which starts `vigil serve` on loopback and
passes the environment below. Each case is one function that calls the SDK's public methods and
prints one line on stdout:

    PASS <case>            or            FAIL <case>: <reason>

Every HTTP exchange of the SDK (and of the few raw fixture calls) is logged to stderr, which the
runner keeps in artifacts/compat/python.log, so a FAIL can be read next to the request and the
answer that caused it.

Ground rules:
- The cases call the SDK (HyperpingClient, AsyncHyperpingClient, HyperpingMcpClient,
  AsyncHyperpingMcpClient) and judge it by its own models and error classes.
- Fixtures the SDK cannot make, or that a case must not depend on the SDK to make (a healthcheck
  with a cron, a status page with sections, an outage with a start date, a subscriber, an
  escalation policy), are made with plain HTTP calls shaped as api-contract.md describes; they are
  marked `raw` in the log.
- Every monitor targets only the loopback targets the runner gives (COMPAT_*).
- One failing case never stops the others.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import json
import logging
import os
import sys
import time
import traceback
import uuid as uuidlib
import warnings
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

import hyperping
from hyperping import (
    AddIncidentUpdateRequest,
    AsyncHyperpingClient,
    AsyncHyperpingMcpClient,
    HealthcheckCreate,
    HealthcheckUpdate,
    HyperpingAPIError,
    HyperpingAuthError,
    HyperpingClient,
    HyperpingMcpClient,
    HyperpingNotFoundError,
    HyperpingValidationError,
    IncidentCreate,
    IncidentUpdateRequest,
    LocalizedText,
    MaintenanceCreate,
    MaintenanceUpdate,
    MonitorCreate,
    MonitorUpdate,
    Region,
    RequestHeader,
    RetryConfig,
    StatusPageCreate,
    StatusPageUpdate,
)

URL = os.environ["VIGIL_URL"]
MCP_URL = os.environ.get("VIGIL_MCP_URL", f"{URL}/v1/mcp")
KEY = os.environ["VIGIL_API_KEY"]
RO_KEY = os.environ["VIGIL_READONLY_KEY"]
OTHER_KEY = os.environ["VIGIL_OTHER_PROJECT_KEY"]
PROJECT = os.environ.get("VIGIL_PROJECT_UUID", "")
HTTP_URL = os.environ["COMPAT_HTTP_URL"]
HOST = os.environ.get("COMPAT_HOST", "127.0.0.1")
TCP_PORT = int(os.environ["COMPAT_TCP_PORT"])
DNS_NAME = os.environ["COMPAT_DNS_NAME"]
DNS_NS = os.environ["COMPAT_DNS_NAMESERVER"]
if "://" in DNS_NS:  # the runner may hand it as a URL
    DNS_NS = DNS_NS.split("://", 1)[1].rstrip("/")

RUN = uuidlib.uuid4().hex[:6]
BAD_KEY = "sk_" + "0" * 32  # well-formed, unknown
NO_RETRY = RetryConfig(max_retries=0)  # a 5xx is a finding, not something to wait out
# Fixed-looking ids that no server issued (prefix and length as api-contract §1.5).
UNKNOWN = {
    "monitor": "mon_Compat0Unknown",
    "healthcheck": "tok_Compat0Unknown000000000",
    "incident": "inci_Compat0Unknown",
    "maintenance": "mw_Compat0Unknown",
    "outage": "outage_Compat0Unknown",
    "statuspage": "sp_Compat0Unknown",
}

warnings.simplefilter("ignore")  # InsecureTransportWarning for http://127.0.0.1, on purpose


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Wire log: every request and answer, tagged with the case that made it.

CURRENT = {"case": "-"}
LAST: list[dict[str, Any]] = []  # the exchanges of the current case


def _short(data: bytes | str, n: int = 1500) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return text if len(text) <= n else text[:n] + f"…(+{len(text) - n})"


def _log_request(request: httpx.Request, who: str) -> None:
    body = request.content if request.content else b""
    log(f"[{CURRENT['case']}] {who} >>> {request.method} {request.url.raw_path.decode()} {_short(body)}")


def _log_response(response: httpx.Response, who: str) -> None:
    req = response.request
    text = response.text
    LAST.append({"method": req.method, "path": req.url.raw_path.decode(), "status": response.status_code, "body": text})
    log(f"[{CURRENT['case']}] {who} <<< {response.status_code} {_short(text)}")


def hook_sync(client: httpx.Client, who: str) -> None:
    def on_request(request: httpx.Request) -> None:
        _log_request(request, who)

    def on_response(response: httpx.Response) -> None:
        response.read()
        _log_response(response, who)

    client.event_hooks = {"request": [on_request], "response": [on_response]}


def hook_async(client: httpx.AsyncClient, who: str) -> None:
    async def on_request(request: httpx.Request) -> None:
        _log_request(request, who)

    async def on_response(response: httpx.Response) -> None:
        await response.aread()
        _log_response(response, who)

    client.event_hooks = {"request": [on_request], "response": [on_response]}


# The SDK silently drops list items its models refuse (hyperping._utils.parse_list logs a warning);
# the cases read those warnings so a dropped item is a FAIL, not a shorter list.
SKIPPED: list[str] = []


class _SkipCatcher(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if "Failed to parse" in msg:
            SKIPPED.append(msg)
        log(f"[{CURRENT['case']}] sdk-log {record.levelname} {msg}")


logging.getLogger("hyperping").addHandler(_SkipCatcher())
logging.getLogger("hyperping").setLevel(logging.WARNING)
logging.getLogger("hyperping").propagate = False


# ---------------------------------------------------------------------------------------------
# Which public methods the cases called, per client class (the coverage cases at the end).

CALLED: dict[str, set[str]] = defaultdict(set)


class Recorded:
    """Passes every attribute through to the SDK object and notes the public ones used."""

    def __init__(self, target: Any, label: str) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_label", label)

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_"):
            CALLED[self._label].add(name)
        return getattr(self._target, name)


def public_members(cls: type) -> set[str]:
    return {n for n, v in inspect.getmembers(cls) if not n.startswith("_") and (inspect.isfunction(v) or isinstance(v, property))}


def rest_client(key: str, who: str, label: str | None = None) -> Any:
    c = HyperpingClient(api_key=key, base_url=URL, allow_insecure=True, retry_config=NO_RETRY, timeout=20)
    hook_sync(c._client, who)
    return Recorded(c, label) if label else c


def mcp_client(key: str, who: str) -> Any:
    m = HyperpingMcpClient(api_key=key, base_url=MCP_URL, allow_insecure=True, timeout=20)
    hook_sync(m._transport._client, who)
    return m


C = rest_client(KEY, "sdk", "HyperpingClient")
RO = rest_client(RO_KEY, "sdk-readonly", "HyperpingClient")
OTHER = rest_client(OTHER_KEY, "sdk-other-project", "HyperpingClient")
BAD = rest_client(BAD_KEY, "sdk-bad-key", "HyperpingClient")
MCP = Recorded(mcp_client(KEY, "sdk-mcp"), "HyperpingMcpClient")

RAW = httpx.Client(base_url=URL, headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}, timeout=20)
hook_sync(RAW, "raw")


def raw(method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200, 201, 202, 204)) -> Any:
    """A fixture call shaped as api-contract.md says (not the SDK under test)."""
    r = RAW.request(method, path, json=body)
    if r.status_code not in ok:
        raise AssertionError(f"fixture {method} {path} answered {r.status_code} {_short(r.text, 200)}")
    return r.json() if r.content else None


_raw_mcp_id = [0]


def raw_mcp(tool: str, args: dict[str, Any]) -> Any:
    _raw_mcp_id[0] += 1
    r = RAW.post("/v1/mcp", json={"jsonrpc": "2.0", "id": _raw_mcp_id[0], "method": "tools/call", "params": {"name": tool, "arguments": args}})
    text = r.json()["result"]["content"][0]["text"]
    return json.loads(text)


# ---------------------------------------------------------------------------------------------
# Cases

CASES: list[tuple[str, Callable[[], Any]]] = []


def case(name: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    def deco(fn: Callable[[], Any]) -> Callable[[], Any]:
        CASES.append((name, fn))
        return fn

    return deco


def describe(exc: BaseException) -> str:
    if isinstance(exc, AssertionError):
        return str(exc) or "assertion failed"
    if isinstance(exc, ValidationError):
        parts = []
        for e in exc.errors()[:5]:
            loc = ".".join(str(p) for p in e.get("loc", ())) or "<root>"
            parts.append(f"{loc}: {e.get('msg')}")
        msg = f"the SDK's model {exc.title} refused the answer ({'; '.join(parts)})"
    elif isinstance(exc, HyperpingAPIError):
        msg = f"{type(exc).__name__} {exc}"
    else:
        msg = f"{type(exc).__name__}: {exc}"
    if LAST:
        x = LAST[-1]
        msg += f" [last exchange: {x['method']} {x['path']} -> {x['status']} {_short(x['body'], 220)}]"
    return msg


def report(name: str, ok: bool, reason: str = "") -> None:
    if ok:
        print(f"PASS {name}", flush=True)
    else:
        one_line = " ".join(reason.split())
        print(f"FAIL {name}: {one_line[:700]}", flush=True)


def run_case(name: str, fn: Callable[[], Any]) -> None:
    CURRENT["case"] = name
    LAST.clear()
    SKIPPED.clear()
    log(f"\n=== {name}")
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - a case never stops the others
        log(traceback.format_exc())
        report(name, False, describe(exc))
        return
    report(name, True)


class Problems:
    """Collects field mismatches so one FAIL names all of them."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, text: str) -> None:
        self.items.append(text)

    def eq(self, field: str, sent: Any, got: Any) -> None:
        if norm(sent) != norm(got):
            self.add(f"{field}: sent {show(sent)}, got {show(got)}")

    def check(self, cond: bool, text: str) -> None:
        if not cond:
            self.add(text)

    def done(self, prefix: str = "") -> None:
        if self.items:
            raise AssertionError(prefix + "; ".join(self.items))


def norm(v: Any) -> Any:
    if isinstance(v, BaseModel):
        return norm(v.model_dump(exclude_none=True))
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items() if x is not None}
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if hasattr(v, "value") and not isinstance(v, (str, int, float, bool)):
        return v.value
    if isinstance(v, str) and len(v) >= 19 and v[4:5] == "-" and v[10:11] == "T":
        try:  # ISO dates compare as instants: "…:00Z" equals "…:00.000Z"
            return dt.datetime.fromisoformat(v.replace("Z", "+00:00")).astimezone(dt.UTC).isoformat()
        except ValueError:
            return v
    return v


def show(v: Any) -> str:
    return json.dumps(norm(v), ensure_ascii=False, default=str)[:160]


def no_skips(what: str) -> None:
    if SKIPPED:
        raise AssertionError(f"{what}: the SDK dropped {len(SKIPPED)} item(s) it could not parse: {SKIPPED[0]}")


def iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def parse_iso(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def expect_error(cls: type[HyperpingAPIError], status: int, fn: Callable[[], Any], contains: str | None = None) -> HyperpingAPIError:
    try:
        result = fn()
    except HyperpingAPIError as exc:
        if not isinstance(exc, cls) or exc.status_code != status:
            raise AssertionError(f"expected {cls.__name__} with status {status}, got {type(exc).__name__} status {exc.status_code}: {exc}") from exc
        if contains and contains not in str(exc):
            raise AssertionError(f"{cls.__name__} {status} as expected, but its message {str(exc)!r} lacks {contains!r}") from exc
        return exc
    raise AssertionError(f"expected {cls.__name__} ({status}), but the call succeeded and returned {str(result)[:160]}")


S: dict[str, Any] = {}  # what the cases made, for the cases after them


def attempt(fn: Callable[[], Any]) -> tuple[Any, str | None]:
    """Runs an SDK call whose failure the case reports next to what the server stored."""
    try:
        return fn(), None
    except Exception as exc:  # noqa: BLE001
        log(traceback.format_exc())
        return None, describe(exc)


def need(key: str) -> Any:
    if key not in S:
        raise AssertionError(f"prerequisite {key!r} missing (an earlier case or fixture failed)")
    return S[key]


def model_dict(m: BaseModel) -> dict[str, Any]:
    return m.model_dump(exclude_none=True)


# ---------------------------------------------------------------------------------------------
# Fixtures (raw, api-contract shapes)


def fx_monitor(name: str, **extra: Any) -> str:
    body = {"name": f"compat-py {name} {RUN}", "url": HTTP_URL, "protocol": "http", "check_frequency": 3600, "regions": ["london"], **extra}
    return raw("POST", "/v1/monitors", body)["uuid"]


def fx_statuspage(label: str, sections: list[dict[str, Any]] | None = None) -> str:
    body: dict[str, Any] = {"name": f"compat-py {label} {RUN}", "subdomain": f"compat-py-{label}-{RUN}", "languages": ["en"]}
    if sections is not None:
        body["sections"] = sections
    return raw("POST", "/v2/statuspages", body)["statuspage"]["uuid"]


def fx_outage(monitor: str, minutes_ago: int, ended: bool = False, description: str = "compat manual outage") -> str:
    body: dict[str, Any] = {
        "monitorUuid": monitor,
        "startDate": iso(now() - dt.timedelta(minutes=minutes_ago)),
        "statusCode": 503,
        "description": description,
        "outageType": "manual",
    }
    if ended:
        body["endDate"] = iso(now() - dt.timedelta(minutes=1))
    return raw("POST", "/v2/outages", body)["outage"]["uuid"]


def fx_healthcheck(label: str, **fields: Any) -> str:
    body = {"name": f"compat-py {label} {RUN}", **fields}
    return raw("POST", "/v2/healthchecks", body)["healthcheck"]["uuid"]


def setup() -> None:
    """Fixtures several cases share. A failure here leaves the dependent cases failing with its reason."""
    CURRENT["case"] = "setup"
    try:
        # A monitor that fails its checks (it expects a 500 from a target that answers 200), checked
        # every 10 s so it has check logs, anomalies and an automatic outage by the MCP cases.
        S["probe_monitor"] = fx_monitor("failing probe", check_frequency=10, expected_status_code="500")
    except Exception as exc:  # noqa: BLE001
        log(f"setup: probe monitor: {exc}")
    try:
        pol = raw("POST", "/v1/escalation-policies", {"name": f"compat-py policy {RUN}", "steps": [{"delayMinutes": 0, "emails": ["oncall@compat.invalid"]}]})
        S["policy"] = pol["uuid"]
    except Exception as exc:  # noqa: BLE001
        log(f"setup: escalation policy (Vigil's /v1/escalation-policies): {exc}")
    try:
        S["target_monitor"] = fx_monitor("fixture target")
        S["target_monitor2"] = fx_monitor("fixture target 2")
        S["paused_monitor"] = fx_monitor("paused fixture", paused=True)
        S["sp"] = fx_statuspage("fixture")
        S["sp2"] = fx_statuspage("fixture2")
    except Exception as exc:  # noqa: BLE001
        log(f"setup: fixtures: {exc}")


# ================================ auth and errors ============================================


@case("auth/ping")
def _() -> None:
    assert C.ping() is True, "ping() did not return True"


@case("auth/bad-key-401")
def _() -> None:
    expect_error(HyperpingAuthError, 401, BAD.list_monitors, "Invalid or missing API key")


@case("auth/bad-key-ping")
def _() -> None:
    expect_error(HyperpingAuthError, 401, BAD.ping)


@case("auth/readonly-read")
def _() -> None:
    assert isinstance(RO.list_monitors(), list)


@case("auth/readonly-create-403")
def _() -> None:
    expect_error(HyperpingAuthError, 403, lambda: RO.create_monitor(MonitorCreate(name="compat-py ro", url=HTTP_URL, paused=True)), "Insufficient permissions")


@case("auth/readonly-delete-403")
def _() -> None:
    target = need("target_monitor")
    expect_error(HyperpingAuthError, 403, lambda: RO.delete_monitor(target), "Insufficient permissions")
    assert C.get_monitor(target).uuid == target, "the monitor is gone after a refused delete"


@case("auth/readonly-outage-action-403")
def _() -> None:
    expect_error(HyperpingAuthError, 403, lambda: RO.acknowledge_outage(UNKNOWN["outage"]))


@case("auth/mcp-bad-key")
def _() -> None:
    bad = mcp_client(BAD_KEY, "sdk-mcp-bad-key")
    try:
        try:
            bad.get_status_summary()
        except HyperpingAuthError:
            return
        raise AssertionError("get_status_summary with a bad key did not raise HyperpingAuthError")
    finally:
        bad.close()


@case("errors/404-monitor")
def _() -> None:
    expect_error(HyperpingNotFoundError, 404, lambda: C.get_monitor(UNKNOWN["monitor"]))
    expect_error(HyperpingNotFoundError, 404, lambda: C.delete_monitor(UNKNOWN["monitor"]))
    expect_error(HyperpingNotFoundError, 404, lambda: C.update_monitor(UNKNOWN["monitor"], MonitorUpdate(name="x")))


@case("errors/404-healthcheck")
def _() -> None:
    expect_error(HyperpingNotFoundError, 404, lambda: C.get_healthcheck(UNKNOWN["healthcheck"]))
    expect_error(HyperpingNotFoundError, 404, lambda: C.delete_healthcheck(UNKNOWN["healthcheck"]))


@case("errors/404-incident")
def _() -> None:
    expect_error(HyperpingNotFoundError, 404, lambda: C.get_incident(UNKNOWN["incident"]))
    expect_error(HyperpingNotFoundError, 404, lambda: C.delete_incident(UNKNOWN["incident"]))


@case("errors/404-maintenance")
def _() -> None:
    expect_error(HyperpingNotFoundError, 404, lambda: C.get_maintenance(UNKNOWN["maintenance"]))
    expect_error(HyperpingNotFoundError, 404, lambda: C.delete_maintenance(UNKNOWN["maintenance"]))


@case("errors/404-outage")
def _() -> None:
    expect_error(HyperpingNotFoundError, 404, lambda: C.get_outage(UNKNOWN["outage"]))
    expect_error(HyperpingNotFoundError, 404, lambda: C.acknowledge_outage(UNKNOWN["outage"]))
    expect_error(HyperpingNotFoundError, 404, lambda: C.delete_outage(UNKNOWN["outage"]))


@case("errors/404-statuspage")
def _() -> None:
    expect_error(HyperpingNotFoundError, 404, lambda: C.get_status_page(UNKNOWN["statuspage"]))
    expect_error(HyperpingNotFoundError, 404, lambda: C.delete_status_page(UNKNOWN["statuspage"]))
    expect_error(HyperpingNotFoundError, 404, lambda: C.list_subscribers(UNKNOWN["statuspage"]))


@case("errors/404-monitor-report")
def _() -> None:
    try:
        C.get_monitor_report(UNKNOWN["monitor"])
    except HyperpingNotFoundError:
        return
    raise AssertionError("get_monitor_report of an unknown monitor did not raise HyperpingNotFoundError")


@case("errors/404-other-project-monitor")
def _() -> None:
    mine = need("target_monitor")
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.get_monitor(mine))
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.update_monitor(mine, MonitorUpdate(name="stolen")))
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.delete_monitor(mine))
    assert all(m.uuid != mine for m in OTHER.list_monitors()), "another project's key lists the monitor"
    assert C.get_monitor(mine).name.startswith("compat-py"), "the monitor changed through another project's key"


@case("errors/404-other-project-healthcheck")
def _() -> None:
    hc = S.get("hc_period") or fx_healthcheck("other-project probe", period_value=1, period_type="hours", grace_period_value=5, grace_period_type="minutes")
    S["hc_period"] = hc
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.get_healthcheck(hc))
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.pause_healthcheck(hc))
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.delete_healthcheck(hc))


@case("errors/404-other-project-statuspage")
def _() -> None:
    sp = need("sp")
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.get_status_page(sp))
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.update_status_page(sp, StatusPageUpdate(name="stolen")))
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.list_subscribers(sp))
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.delete_status_page(sp))


@case("errors/404-other-project-outage")
def _() -> None:
    o = fx_outage(need("target_monitor"), minutes_ago=30, ended=True, description="other-project probe")
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.get_outage(o))
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.resolve_outage(o))
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.delete_outage(o))
    assert all(x.uuid != o for x in OTHER.list_outages()), "another project's key lists the outage"


@case("errors/404-other-project-incident")
def _() -> None:
    inc = raw("POST", "/v3/incidents", {"title": {"en": "other-project probe"}, "text": {"en": "x"}, "type": "incident", "statuspages": [need("sp")]})["uuid"]
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.get_incident(inc))
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.add_incident_update(inc, AddIncidentUpdateRequest(text=LocalizedText(en="x"), type="update", date=iso(now()))))
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.delete_incident(inc))
    raw("DELETE", f"/v3/incidents/{inc}")


@case("errors/404-other-project-maintenance")
def _() -> None:
    start = now() + dt.timedelta(days=3)
    mw = raw("POST", "/v1/maintenance-windows", {"name": f"compat-py other-project probe {RUN}", "start_date": iso(start), "end_date": iso(start + dt.timedelta(hours=1)), "monitors": [need("target_monitor")]})["uuid"]
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.get_maintenance(mw))
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.update_maintenance(mw, MaintenanceUpdate(name="stolen")))
    expect_error(HyperpingNotFoundError, 404, lambda: OTHER.delete_maintenance(mw))
    raw("DELETE", f"/v1/maintenance-windows/{mw}")


@case("errors/422-monitor-url")
def _() -> None:
    expect_error(HyperpingValidationError, 422, lambda: C.create_monitor(MonitorCreate(name="compat-py bad url", url="not-a-valid-url", paused=True)), "Invalid URL")


@case("errors/422-monitor-frequency")
def _() -> None:
    expect_error(HyperpingValidationError, 422, lambda: C.create_monitor(MonitorCreate(name="compat-py bad frequency", url=HTTP_URL, check_frequency=7, paused=True)))


@case("errors/422-monitor-update")
def _() -> None:
    target = need("target_monitor")
    expect_error(HyperpingValidationError, 422, lambda: C.update_monitor(target, MonitorUpdate(regions=["atlantis"])))


@case("errors/422-monitor-port-missing")
def _() -> None:
    expect_error(HyperpingValidationError, 422, lambda: C.create_monitor(MonitorCreate(name="compat-py port without port", url=HOST, protocol="port", paused=True)))


@case("errors/422-maintenance-dates")
def _() -> None:
    start = now() + dt.timedelta(days=2)
    bad = MaintenanceCreate(name=f"compat-py backwards {RUN}", start_date=iso(start), end_date=iso(start - dt.timedelta(hours=1)), monitors=[need("target_monitor")])
    expect_error(HyperpingValidationError, 422, lambda: C.create_maintenance(bad))


@case("errors/422-incident-statuspage")
def _() -> None:
    bad = IncidentCreate(title=LocalizedText(en="compat-py bad page"), text=LocalizedText(en="x"), statuspages=[UNKNOWN["statuspage"]])
    try:
        C.create_incident(bad)
    except (HyperpingValidationError, HyperpingNotFoundError) as exc:
        assert exc.status_code in (404, 422), f"status {exc.status_code}"
        return
    raise AssertionError("an incident on an unknown status page was accepted")


# ================================ monitors ==================================================

def compare_monitor(sent: BaseModel, got: Any, p: Problems, where: str) -> None:
    for field, value in sent.model_dump(exclude_none=True).items():
        have = getattr(got, field, None)
        if field == "regions":
            value, have = sorted(value), sorted(have or [])
        if norm(value) != norm(have):
            p.add(f"{where} {field}: sent {show(value)}, got {show(have)}")


def monitor_roundtrip(key: str, make: Callable[[], MonitorCreate]) -> None:
    sent = make()
    got = C.create_monitor(sent)
    S[key] = got.uuid
    S.setdefault("monitors", []).append(got.uuid)
    S[key + "_sent"] = sent
    p = Problems()
    p.check(got.uuid.startswith("mon_"), f"uuid {got.uuid!r} is not mon_…")
    p.check(PROJECT == "" or got.project_uuid == PROJECT, f"projectUuid: expected {PROJECT}, got {got.project_uuid}")
    compare_monitor(sent, got, p, "create response")
    p.done()


def monitor_readback(key: str) -> None:
    uuid = need(key)
    sent = need(key + "_sent")
    got = C.get_monitor(uuid)
    p = Problems()
    compare_monitor(sent, got, p, "GET")
    p.done()


def http_monitor() -> MonitorCreate:
    return MonitorCreate(
        name=f"compat-py http {RUN}",
        url=HTTP_URL,
        protocol="http",
        http_method="POST",
        check_frequency=3600,
        regions=["london", "frankfurt"],
        request_headers=[RequestHeader(name="X-Compat", value="python"), RequestHeader(name="Authorization", value="Bearer compat")],
        request_body='{"compat": true}',
        follow_redirects=False,
        expected_status_code="200",
        required_keyword="compat",
        paused=False,
        alerts_wait=5,
        escalation_policy=S.get("policy"),
    )


@case("monitors/create-http")
def _() -> None:
    monitor_roundtrip("m_http", http_monitor)


@case("monitors/read-http")
def _() -> None:
    monitor_readback("m_http")


@case("monitors/create-port")
def _() -> None:
    monitor_roundtrip("m_port", lambda: MonitorCreate(name=f"compat-py port {RUN}", url=HOST, protocol="port", port=TCP_PORT, check_frequency=3600, regions=["paris"], alerts_wait=-1))


@case("monitors/read-port")
def _() -> None:
    monitor_readback("m_port")


@case("monitors/create-icmp")
def _() -> None:
    monitor_roundtrip("m_icmp", lambda: MonitorCreate(name=f"compat-py icmp {RUN}", url=HOST, protocol="icmp", check_frequency=3600, regions=["tokyo", "sydney"], alerts_wait=2))


@case("monitors/read-icmp")
def _() -> None:
    monitor_readback("m_icmp")


@case("monitors/create-dns")
def _() -> None:
    monitor_roundtrip("m_dns", lambda: MonitorCreate(
        name=f"compat-py dns {RUN}", url=DNS_NAME, protocol="dns", check_frequency=3600, regions=["virginia"],
        dns_record_type="A", dns_nameserver=DNS_NS, dns_expected_answer="127.0.0.1",
    ))


@case("monitors/read-dns")
def _() -> None:
    monitor_readback("m_dns")


@case("monitors/create-defaults")
def _() -> None:
    # Only name and url: the SDK fills in its own defaults (check_frequency 30, its 8 DEFAULT_REGIONS,
    # GET, "2xx", follow_redirects) and sends them; paused so the 30 s monitor never runs.
    monitor_roundtrip("m_defaults", lambda: MonitorCreate(name=f"compat-py defaults {RUN}", url=HTTP_URL, paused=True))


@case("monitors/read-defaults")
def _() -> None:
    monitor_readback("m_defaults")


@case("monitors/region-oregon")
def _() -> None:
    # hyperping.Region has OREGON; api-contract §2.2 lists 18 regions without it.
    got = C.create_monitor(MonitorCreate(name=f"compat-py oregon {RUN}", url=HTTP_URL, regions=[Region.OREGON], paused=True))
    S.setdefault("monitors", []).append(got.uuid)
    assert got.regions == ["oregon"], f"regions: sent ['oregon'], got {got.regions}"


@case("monitors/list")
def _() -> None:
    listed = C.list_monitors()
    no_skips("list_monitors")
    have = {m.uuid: m for m in listed}
    missing = [u for u in S.get("monitors", []) if u not in have]
    assert not missing, f"list_monitors lacks {missing}"
    http = have.get(S.get("m_http", ""))
    if http is not None:
        p = Problems()
        compare_monitor(need("m_http_sent"), http, p, "list item")
        p.done()


@case("monitors/read-options-method")
def _() -> None:
    # hyperping.HttpMethod lacks OPTIONS, which api-contract §2.2 allows; a monitor using it
    # (made raw here, as the dashboard or another client would) must still read.
    uuid = fx_monitor("options", http_method="OPTIONS", paused=True)
    got, err = attempt(lambda: C.get_monitor(uuid))
    listed = C.list_monitors()
    dropped = list(SKIPPED)
    raw("DELETE", f"/v1/monitors/{uuid}")
    p = Problems()
    if err:
        p.add(f"get_monitor raised {err}")
    else:
        p.eq("http_method", "OPTIONS", got.http_method)
    p.check(uuid in {m.uuid for m in listed}, "list_monitors lacks it" + (f" (the SDK dropped it: {dropped[0]})" if dropped else ""))
    p.done()


@case("monitors/update")
def _() -> None:
    uuid = need("m_http")
    before = C.get_monitor(uuid)
    upd = MonitorUpdate(
        name=f"compat-py http renamed {RUN}",
        http_method="PUT",
        check_frequency=1800,
        regions=["paris", "amsterdam", "singapore"],
        request_headers=[RequestHeader(name="X-Compat", value="updated")],
        request_body="updated body",
        follow_redirects=True,
        expected_status_code="2xx",
        required_keyword="ok",
        alerts_wait=10,
    )
    got = C.update_monitor(uuid, upd)
    p = Problems()
    compare_monitor(upd, got, p, "PUT response")
    back = C.get_monitor(uuid)
    compare_monitor(upd, back, p, "GET after PUT")
    for field in ("url", "protocol", "paused", "escalation_policy"):
        p.eq(f"GET after PUT kept {field}", getattr(before, field), getattr(back, field))
    p.done()


@case("monitors/update-dns")
def _() -> None:
    uuid = need("m_dns")
    upd = MonitorUpdate(dns_record_type="TXT", dns_expected_answer="compat", check_frequency=21600)
    got = C.update_monitor(uuid, upd)
    p = Problems()
    compare_monitor(upd, got, p, "PUT response")
    back = C.get_monitor(uuid)
    compare_monitor(upd, back, p, "GET after PUT")
    p.eq("GET after PUT kept dns_nameserver", DNS_NS, back.dns_nameserver)
    p.done()


@case("monitors/update-port")
def _() -> None:
    uuid = need("m_port")
    upd = MonitorUpdate(name=f"compat-py port renamed {RUN}", regions=["london"], alerts_wait=0)
    got = C.update_monitor(uuid, upd)
    p = Problems()
    compare_monitor(upd, got, p, "PUT response")
    p.eq("PUT response kept port", TCP_PORT, got.port)
    p.done()


@case("monitors/pause")
def _() -> None:
    uuid = need("m_icmp")
    got = C.pause_monitor(uuid)
    assert got.paused is True, f"pause_monitor returned paused={got.paused}"
    assert C.get_monitor(uuid).paused is True, "GET after pause_monitor: paused is not true"


@case("monitors/resume")
def _() -> None:
    uuid = need("m_icmp")
    got = C.resume_monitor(uuid)
    assert got.paused is False, f"resume_monitor returned paused={got.paused}"
    assert C.get_monitor(uuid).paused is False, "GET after resume_monitor: paused is not false"


@case("monitors/delete")
def _() -> None:
    uuid = need("m_defaults")
    C.delete_monitor(uuid)
    S["monitors"].remove(uuid)
    expect_error(HyperpingNotFoundError, 404, lambda: C.get_monitor(uuid))


# ================================ reports ===================================================

PERIOD_SECONDS = {"1h": 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400, "90d": 90 * 86400}


def check_report_window(r: Any, period: str) -> None:
    span = (parse_iso(r.period.to_date) - parse_iso(r.period.from_date)).total_seconds()
    want = PERIOD_SECONDS[period]
    assert abs(span - want) <= max(120, want * 0.02), (
        f"period={period} was sent; the report covers {r.period.from_date} .. {r.period.to_date} "
        f"({span / 3600:.1f} h) instead of {want / 3600:.0f} h"
    )


@case("reports/all")
def _() -> None:
    reports = C.get_all_reports()
    no_skips("get_all_reports")
    mine = [r for r in reports if r.uuid == S.get("target_monitor")]
    assert mine, f"get_all_reports lacks the active monitor {S.get('target_monitor')} ({len(reports)} reports)"
    r = mine[0]
    assert 0 <= r.sla <= 100, f"sla {r.sla}"
    assert r.outages.count >= 0 and r.mttr >= 0
    check_report_window(r, "30d")


for _p in ("1h", "24h", "7d", "90d"):

    def _make(period: str) -> Callable[[], None]:
        def fn() -> None:
            reports = C.get_all_reports(period=period)  # type: ignore[arg-type]
            no_skips("get_all_reports")
            assert reports, "no report at all"
            check_report_window(reports[0], period)

        return fn

    case(f"reports/period-{_p}")(_make(_p))


@case("reports/monitor")
def _() -> None:
    uuid = need("target_monitor")
    r = C.get_monitor_report(uuid, period="7d")
    assert r.uuid == uuid and r.name.startswith("compat-py"), f"report {r.uuid} {r.name}"
    check_report_window(r, "7d")


# ================================ healthchecks ==============================================


def hc_fields(h: Any, p: Problems, where: str, name: str | None, period: int | None, grace: int | None) -> None:
    if name is not None:
        p.eq(f"{where} name", name, h.name)
    if period is not None:
        p.eq(f"{where} period", period, h.period)
    if grace is not None:
        p.eq(f"{where} grace", grace, h.grace)


@case("healthchecks/create-period")
def _() -> None:
    sent = HealthcheckCreate(name=f"compat-py hc sdk {RUN}", period=3600, grace=300)
    got, err = attempt(lambda: C.create_healthcheck(sent))
    # Whatever the SDK made of the answer, find what the server stored.
    for h in raw("GET", "/v2/healthchecks")["healthchecks"]:
        if h["name"] == sent.name:
            S["hc_sdk"] = h["uuid"]
    p = Problems()
    if err:
        p.add(f"create_healthcheck raised {err}")
    else:
        hc_fields(got, p, "create response", sent.name, 3600, 300)
    p.done()


@case("healthchecks/read-period")
def _() -> None:
    if "hc_period" not in S:
        S["hc_period"] = fx_healthcheck("period", period_value=1, period_type="hours", grace_period_value=5, grace_period_type="minutes")
    got = C.get_healthcheck(S["hc_period"])
    p = Problems()
    p.eq("uuid", S["hc_period"], got.uuid)
    hc_fields(got, p, "GET (made with period_value 1 hours, grace 5 minutes)", None, 3600, 300)
    p.done()


@case("healthchecks/read-cron")
def _() -> None:
    # HealthcheckCreate has no cron field, so the cron healthcheck is a raw fixture.
    S["hc_cron"] = fx_healthcheck("cron", cron="15 3 * * *", timezone="Europe/Paris", grace_period_value=2, grace_period_type="hours")
    got = C.get_healthcheck(S["hc_cron"])
    p = Problems()
    hc_fields(got, p, "GET (made with cron '15 3 * * *', grace 2 hours)", None, None, 7200)
    p.eq("cron (model extra)", "15 3 * * *", (got.model_extra or {}).get("cron"))
    p.done()


@case("healthchecks/list")
def _() -> None:
    if "hc_period" not in S:
        S["hc_period"] = fx_healthcheck("period", period_value=1, period_type="hours", grace_period_value=5, grace_period_type="minutes")
    listed = C.list_healthchecks()
    skipped = list(SKIPPED)
    have = {h.uuid for h in listed}
    want = [S[k] for k in ("hc_period", "hc_cron") if k in S]
    missing = [u for u in want if u not in have]
    assert not missing, f"list_healthchecks returned {len(listed)} item(s) and lacks {missing}" + (f"; the SDK dropped {len(skipped)}: {skipped[0]}" if skipped else "")
    no_skips("list_healthchecks")


@case("healthchecks/update")
def _() -> None:
    uuid = S.get("hc_sdk") or S.get("hc_period") or fx_healthcheck("update", period_value=1, period_type="hours", grace_period_value=5, grace_period_type="minutes")
    upd = HealthcheckUpdate(name=f"compat-py hc renamed {RUN}", period=7200, grace=600)
    got, err = attempt(lambda: C.update_healthcheck(uuid, upd))
    stored = raw("GET", f"/v2/healthchecks/{uuid}")["healthcheck"]
    p = Problems()
    if got is not None:
        hc_fields(got, p, "PUT response", upd.name, 7200, 600)
    p.eq("stored name", upd.name, stored.get("name"))
    p.eq("stored period (seconds)", 7200, stored.get("period"))
    p.eq("stored gracePeriod (seconds)", 600, stored.get("gracePeriod"))
    if err:
        p.add(f"update_healthcheck raised {err}")
    p.done()


def hc_action(action: str, want_paused: bool) -> None:
    uuid = S.get("hc_period") or fx_healthcheck("pause", period_value=1, period_type="hours", grace_period_value=5, grace_period_type="minutes")
    S["hc_period"] = uuid
    got, err = attempt(lambda: getattr(C, f"{action}_healthcheck")(uuid))
    stored = raw("GET", f"/v2/healthchecks/{uuid}")["healthcheck"]
    p = Problems()
    p.eq("stored isPaused", want_paused, stored.get("isPaused"))
    if got is not None:
        p.eq("returned is_paused", want_paused, got.is_paused)
    if err:
        p.add(f"{action}_healthcheck raised {err} (stored isPaused is now {stored.get('isPaused')})")
    p.done()


@case("healthchecks/pause")
def _() -> None:
    hc_action("pause", True)


@case("healthchecks/resume")
def _() -> None:
    hc_action("resume", False)


@case("healthchecks/delete")
def _() -> None:
    uuid = fx_healthcheck("delete", period_value=30, period_type="minutes", grace_period_value=1, grace_period_type="minutes")
    C.delete_healthcheck(uuid)
    expect_error(HyperpingNotFoundError, 404, lambda: C.get_healthcheck(uuid))


# ================================ incidents =================================================


def incident_fields(sent: Any, got: Any, p: Problems, where: str) -> None:
    for field, value in sent.model_dump(exclude_none=True).items():
        have = getattr(got, field, None)
        p.eq(f"{where} {field}", value, have)


@case("incidents/create")
def _() -> None:
    sent = IncidentCreate(
        title=LocalizedText(en=f"compat-py incident {RUN}", fr="incident de compat"),
        text=LocalizedText(en="Investigating the compat run", de="Wir untersuchen"),
        type="outage",
        affectedComponents=[need("target_monitor")],
        statuspages=[need("sp")],
        date=iso(now() - dt.timedelta(minutes=5)),
    )
    got = C.create_incident(sent)
    S["inc"] = got.uuid
    S["inc_sent"] = sent
    p = Problems()
    p.check(got.uuid.startswith("inci_"), f"uuid {got.uuid!r}")
    incident_fields(sent, got, p, "create")
    p.done()


@case("incidents/get")
def _() -> None:
    got = C.get_incident(need("inc"))
    p = Problems()
    incident_fields(need("inc_sent"), got, p, "GET")
    p.done()


@case("incidents/list")
def _() -> None:
    listed = C.list_incidents()
    no_skips("list_incidents")
    mine = [i for i in listed if i.uuid == S.get("inc")]
    assert mine, f"list_incidents lacks {S.get('inc')}"
    p = Problems()
    incident_fields(need("inc_sent"), mine[0], p, "list item")
    p.done()


@case("incidents/update")
def _() -> None:
    upd = IncidentUpdateRequest(
        title=LocalizedText(en=f"compat-py incident renamed {RUN}"),
        type="incident",
        affectedComponents=[need("target_monitor"), need("target_monitor2")],
        statuspages=[need("sp"), need("sp2")],
    )
    got = C.update_incident(need("inc"), upd)
    p = Problems()
    incident_fields(upd, got, p, "PUT response")
    incident_fields(upd, C.get_incident(need("inc")), p, "GET after PUT")
    p.done()


@case("incidents/add-update")
def _() -> None:
    upd = AddIncidentUpdateRequest(text=LocalizedText(en="Identified: a compat cause", fr="Identifié"), type="identified", date=iso(now()))
    got = C.add_incident_update(need("inc"), upd)
    assert got.updates, "the incident has no updates after add_incident_update"
    last = got.updates[-1]
    p = Problems()
    p.eq("update type", "identified", last.type)
    p.eq("update text", upd.text, last.text)
    p.eq("update date", upd.date, last.date)
    p.check(bool(last.uuid), "update uuid empty")
    p.done()


@case("incidents/resolve")
def _() -> None:
    got = C.resolve_incident(need("inc"), "Resolved by the compat run")  # sends date=datetime.isoformat() (+00:00, microseconds)
    assert got.is_resolved, f"is_resolved false; update types {[u.type for u in got.updates]}"
    assert got.updates[-1].text.en == "Resolved by the compat run", f"last update text {got.updates[-1].text}"


@case("incidents/list-status-filter")
def _() -> None:
    # list_incidents(status=…) sends ?status=; the resolved incident of the case before should be
    # listed for "resolved" and an open one should not.
    open_inc = raw("POST", "/v3/incidents", {"title": {"en": f"compat-py open {RUN}"}, "text": {"en": "open"}, "type": "incident", "statuspages": [need("sp")]})["uuid"]
    try:
        resolved = {i.uuid for i in C.list_incidents(status="resolved")}
        investigating = {i.uuid for i in C.list_incidents(status="investigating")}
    finally:
        raw("DELETE", f"/v3/incidents/{open_inc}")
    p = Problems()
    p.check(need("inc") in resolved, "status=resolved lacks the resolved incident")
    p.check(open_inc not in resolved, "status=resolved lists an incident with no resolved update")
    p.check(need("inc") not in investigating, "status=investigating lists the resolved incident")
    p.done("the status filter is not applied: ")


@case("incidents/create-batch")
def _() -> None:
    sent = IncidentCreate(title=LocalizedText(en=f"compat-py batch {RUN}"), text=LocalizedText(en="split"), statuspages=[need("sp"), need("sp2")])
    made = C.create_incidents(sent, chunk_size=1)
    try:
        assert len(made) == 2, f"create_incidents(chunk_size=1) over 2 pages made {len(made)} incidents"
        assert [i.statuspages for i in made] == [[need("sp")], [need("sp2")]], f"statuspages per incident {[i.statuspages for i in made]}"
    finally:
        for i in made:
            C.delete_incident(i.uuid)


@case("incidents/delete")
def _() -> None:
    uuid = need("inc")
    C.delete_incident(uuid)
    expect_error(HyperpingNotFoundError, 404, lambda: C.get_incident(uuid))


# ================================ maintenance ===============================================


def maintenance_fields(sent: Any, got: Any, p: Problems, where: str) -> None:
    for field, value in sent.model_dump(exclude_none=True).items():
        have = getattr(got, field, None)
        if field in ("monitors", "statuspages"):
            value, have = sorted(value), sorted(have or [])
        p.eq(f"{where} {field}", value, have)


@case("maintenance/create")
def _() -> None:
    start = (now() + dt.timedelta(days=1)).replace(microsecond=0)
    sent = MaintenanceCreate(
        name=f"compat-py maintenance {RUN}",
        start_date=iso(start),
        end_date=iso(start + dt.timedelta(hours=2)),
        monitors=[need("target_monitor"), need("target_monitor2")],
        statuspages=[need("sp")],
        title=LocalizedText(en="Planned compat work", fr="Travaux"),
        text=LocalizedText(en="Nothing to see"),
        notification_option="scheduled",
        notification_minutes=30,
    )
    got = C.create_maintenance(sent)
    S["mw"] = got.uuid
    S["mw_sent"] = sent
    p = Problems()
    p.check(got.uuid.startswith("mw_"), f"uuid {got.uuid!r}")
    maintenance_fields(sent, got, p, "create")
    p.done()


@case("maintenance/get")
def _() -> None:
    got = C.get_maintenance(need("mw"))
    p = Problems()
    maintenance_fields(need("mw_sent"), got, p, "GET")
    p.eq("timezone", "UTC", got.timezone)
    p.done()


@case("maintenance/list")
def _() -> None:
    listed = C.list_maintenance()
    no_skips("list_maintenance")
    mine = [m for m in listed if m.uuid == S.get("mw")]
    assert mine, f"list_maintenance lacks {S.get('mw')} ({len(listed)} listed)"
    p = Problems()
    sent = need("mw_sent")
    for field in ("name", "start_date", "end_date", "monitors", "statuspages", "title"):
        value, have = getattr(sent, field), getattr(mine[0], field)
        if isinstance(value, list):
            value, have = sorted(value), sorted(have)
        p.eq(f"list item {field}", value, have)
    p.done()


@case("maintenance/update")
def _() -> None:
    start = (now() + dt.timedelta(days=2)).replace(microsecond=0)
    upd = MaintenanceUpdate(name=f"compat-py maintenance moved {RUN}", start_date=iso(start), end_date=iso(start + dt.timedelta(hours=1)), monitors=[need("target_monitor")])
    got = C.update_maintenance(need("mw"), upd)
    p = Problems()
    maintenance_fields(upd, got, p, "PUT response")
    back = C.get_maintenance(need("mw"))
    maintenance_fields(upd, back, p, "GET after PUT")
    sent = need("mw_sent")
    p.eq("GET after PUT kept statuspages", sent.statuspages, back.statuspages)
    p.eq("GET after PUT kept title", sent.title, back.title)
    p.done()


@case("maintenance/active")
def _() -> None:
    start = now() - dt.timedelta(minutes=10)
    active = C.create_maintenance(MaintenanceCreate(name=f"compat-py ongoing {RUN}", start_date=iso(start), end_date=iso(start + dt.timedelta(hours=2)), monitors=[need("target_monitor2")]))
    S["mw_active"] = active.uuid
    ongoing = {m.uuid for m in C.get_active_maintenance()}
    p = Problems()
    p.check(active.uuid in ongoing, "get_active_maintenance lacks the window running now")
    p.check(S.get("mw") not in ongoing, "get_active_maintenance lists the future window")
    p.check(C.is_monitor_in_maintenance(need("target_monitor2")) is True, "is_monitor_in_maintenance(monitor of the running window) is False")
    p.check(C.is_monitor_in_maintenance(need("target_monitor")) is False, "is_monitor_in_maintenance(monitor of the future window only) is True")
    p.done()


@case("maintenance/list-status-filter")
def _() -> None:
    # list_maintenance(status=…) sends ?status= with the SDK's words (scheduled, in_progress, completed).
    running = {m.uuid for m in C.list_maintenance(status="in_progress")}
    scheduled = {m.uuid for m in C.list_maintenance(status="scheduled")}
    p = Problems()
    p.check(need("mw_active") in running, "status=in_progress lacks the running window")
    p.check(need("mw") not in running, "status=in_progress lists the future window")
    p.check(need("mw") in scheduled, "status=scheduled lacks the future window")
    p.check(need("mw_active") not in scheduled, "status=scheduled lists the running window")
    p.done("the status filter is not applied: ")


@case("maintenance/create-batch")
def _() -> None:
    start = now() + dt.timedelta(days=4)
    sent = MaintenanceCreate(name=f"compat-py batch {RUN}", start_date=iso(start), end_date=iso(start + dt.timedelta(hours=1)), monitors=[need("target_monitor")], statuspages=[need("sp"), need("sp2")])
    made = C.create_maintenance_windows(sent, chunk_size=1)
    try:
        assert len(made) == 2, f"create_maintenance_windows(chunk_size=1) over 2 pages made {len(made)}"
        assert [m.statuspages for m in made] == [[need("sp")], [need("sp2")]], f"statuspages per window {[m.statuspages for m in made]}"
    finally:
        for m in made:
            C.delete_maintenance(m.uuid)


@case("maintenance/delete")
def _() -> None:
    for key in ("mw", "mw_active"):
        uuid = need(key)
        C.delete_maintenance(uuid)
        expect_error(HyperpingNotFoundError, 404, lambda u=uuid: C.get_maintenance(u))


# ================================ outages ===================================================


@case("outages/create")
def _() -> None:
    target = need("target_monitor")
    got, err = attempt(lambda: C.create_outage(target))
    p = Problems()
    if got is not None:
        S["out_sdk"] = got.uuid
        p.check(got.uuid.startswith("outage_"), f"uuid {got.uuid!r}")
        p.eq("monitor_uuid", target, got.monitor_uuid)
    if err:
        p.add(f"create_outage raised {err}")
    p.done()


@case("outages/get")
def _() -> None:
    S["out_open"] = fx_outage(need("target_monitor"), minutes_ago=20)
    got = C.get_outage(S["out_open"])
    p = Problems()
    p.eq("uuid", S["out_open"], got.uuid)
    p.eq("monitor_uuid", need("target_monitor"), got.monitor_uuid)
    p.check(got.started_at is not None, "started_at is None")
    p.done()


@case("outages/list")
def _() -> None:
    if "out_open" not in S:
        S["out_open"] = fx_outage(need("target_monitor"), minutes_ago=20)
    S["out_done"] = fx_outage(need("target_monitor2"), minutes_ago=40, ended=True, description="compat resolved outage")
    listed = C.list_outages()
    no_skips("list_outages")
    have = {o.uuid for o in listed}
    missing = [u for u in (S["out_open"], S["out_done"]) if u not in have]
    assert not missing, f"list_outages lacks {missing}"
    single = C.list_outages(page=0)
    assert {S["out_open"], S["out_done"]} <= {o.uuid for o in single}, "list_outages(page=0) lacks the outages"


@case("outages/list-fields")
def _() -> None:
    listed = {o.uuid: o for o in C.list_outages()}
    o, done = listed.get(need("out_open")), listed.get(need("out_done"))
    assert o is not None and done is not None, "outages not listed"
    p = Problems()
    p.eq("open outage monitor_uuid", need("target_monitor"), o.monitor_uuid)
    p.check(o.started_at is not None, "open outage started_at is None")
    p.check(o.ended_at is None, f"open outage ended_at {o.ended_at!r}")
    p.check(o.resolved is False, "open outage resolved is True")
    p.eq("resolved outage monitor_uuid", need("target_monitor2"), done.monitor_uuid)
    p.check(done.ended_at is not None, "resolved outage ended_at is None")
    p.check(done.resolved is True, "resolved outage: resolved is False")
    p.done()


@case("outages/list-filters")
def _() -> None:
    open_, done = need("out_open"), need("out_done")
    ongoing = {o.uuid for o in C.list_outages(status="ongoing")}
    resolved = {o.uuid for o in C.list_outages(status="resolved")}
    manual = {o.uuid for o in C.list_outages(outage_type="manual")}
    auto = {o.uuid for o in C.list_outages(outage_type="monitor")}
    p = Problems()
    p.check(open_ in ongoing and done not in ongoing, "status=ongoing")
    p.check(done in resolved and open_ not in resolved, "status=resolved")
    p.check(open_ in manual and done in manual, "type=manual")
    p.check(open_ not in auto and done not in auto, "type=monitor lists manual outages")
    p.done("filter not applied: ")


@case("outages/list-paging")
def _() -> None:
    # Hyperping pages outages by 20 (api-contract §6.1); list_outages() follows hasNextPage.
    made = [fx_outage(need("target_monitor2"), minutes_ago=100 + i, ended=True, description=f"compat paging {i}") for i in range(21)]
    everything = {o.uuid for o in C.list_outages()}
    first = [o.uuid for o in C.list_outages(page=0)]
    second = [o.uuid for o in C.list_outages(page=1)]
    p = Problems()
    p.check(set(made) <= everything, f"list_outages() lacks {len(set(made) - everything)} of the 21 outages")
    p.check(len(first) == 20, f"page 0 has {len(first)} outages, not 20")
    p.check(bool(second) and not set(first) & set(second), f"page 1 has {len(second)} outages, {len(set(first) & set(second))} also on page 0")
    p.done()
    for o in made:
        raw("DELETE", f"/v2/outages/{o}")


def outage_action(action: str, uuid: str, check: Callable[[dict[str, Any]], str | None], *args: Any) -> None:
    got, err = attempt(lambda: getattr(C, f"{action}_outage")(uuid, *args))
    stored = raw("GET", f"/v2/outages/{uuid}")["outage"]
    p = Problems()
    problem = check(stored)
    if problem:
        p.add(f"stored outage after {action}: {problem}")
    if got is not None:
        p.check(bool(got.status), f"{action}_outage returned status {got.status!r}")
    if err:
        p.add(f"{action}_outage raised {err} (the server {'did' if not problem else 'did not'} {action} it)")
    p.done()


@case("outages/acknowledge")
def _() -> None:
    outage_action("acknowledge", need("out_open"), lambda o: None if o.get("acknowledgedAt") else f"acknowledgedAt {o.get('acknowledgedAt')!r}", "looking into it")


@case("outages/unacknowledge")
def _() -> None:
    outage_action("unacknowledge", need("out_open"), lambda o: None if o.get("acknowledgedAt") is None else f"acknowledgedAt {o.get('acknowledgedAt')!r}")


@case("outages/escalate")
def _() -> None:
    outage_action("escalate", need("out_open"), lambda o: None)


@case("outages/resolve")
def _() -> None:
    outage_action("resolve", need("out_open"), lambda o: None if o.get("isResolved") and o.get("endDate") else f"isResolved {o.get('isResolved')}, endDate {o.get('endDate')}", "fixed")


@case("outages/delete")
def _() -> None:
    uuid = need("out_done")
    C.delete_outage(uuid)
    r = RAW.get(f"/v2/outages/{uuid}")
    assert r.status_code == 404, f"GET after delete_outage answered {r.status_code}"


# ================================ status pages and subscribers ==============================


@case("statuspages/create")
def _() -> None:
    sub = f"compat-py-sdk-{RUN}"
    sent = StatusPageCreate(name=f"compat-py page {RUN}", subdomain=sub, monitors=[need("target_monitor")], public=True)
    got, err = attempt(lambda: C.create_status_page(sent))
    stored = [sp for sp in raw("GET", f"/v2/statuspages?search={sub}")["statuspages"]]
    p = Problems()
    if stored:
        S["sp_sdk"] = stored[0]["uuid"]
        full = raw("GET", f"/v2/statuspages/{S['sp_sdk']}")["statuspage"]
        shown = [s.get("uuid") for sec in full.get("sections", []) for s in sec.get("services", [])]
        p.check(bool(shown), "the page was created, but the monitors sent as `monitors` are not on it (no section/service)")
    else:
        p.add("no page was stored")
    if got is not None:
        p.eq("name", sent.name, got.name)
        p.check((got.subdomain or "").startswith(sub), f"subdomain: sent {sub!r}, got {got.subdomain!r}")
        p.eq("monitors", sent.monitors, got.monitors)
    if err:
        p.add(f"create_status_page raised {err}")
    p.done()


@case("statuspages/get")
def _() -> None:
    sp = need("sp")
    got = C.get_status_page(sp)
    p = Problems()
    p.eq("uuid", sp, got.uuid)
    p.check((got.subdomain or "").startswith(f"compat-py-fixture-{RUN}"), f"subdomain {got.subdomain!r}")
    p.done()


@case("statuspages/read-sections")
def _() -> None:
    # The SDK's models carry no sections; a page with a section and a group (raw fixture) must
    # still read, its sections kept as model extra.
    m1, m2 = need("target_monitor"), need("target_monitor2")
    sections = [{"name": "Core", "is_split": False, "services": [
        {"monitor_uuid": m1, "name_shown": "API", "show_uptime": True, "show_response_times": False},
        {"is_group": True, "name_shown": "Backends", "services": [{"uuid": m2, "name": {"en": "Worker"}, "show_uptime": True, "show_response_times": True}]},
    ]}]
    S["sp_sections"] = fx_statuspage("sections", sections)
    got = C.get_status_page(S["sp_sections"])
    secs = (got.model_extra or {}).get("sections")
    assert secs and len(secs[0].get("services", [])) == 2, f"sections read {secs!r}"


@case("statuspages/list")
def _() -> None:
    listed = C.list_status_pages()
    no_skips("list_status_pages")
    have = {sp.uuid: sp for sp in listed}
    for key in ("sp", "sp2"):
        assert need(key) in have, f"list_status_pages lacks {need(key)}"
    got = have[need("sp")]
    p = Problems()
    p.eq("name", f"compat-py fixture {RUN}", got.name)
    p.check((got.subdomain or "").startswith(f"compat-py-fixture-{RUN}"), f"subdomain (hostedsubdomain) {got.subdomain!r}")
    p.done()


@case("statuspages/list-search")
def _() -> None:
    found = C.list_status_pages(search=f"fixture2 {RUN}")
    assert [sp.uuid for sp in found] == [need("sp2")], f"search returned {[sp.uuid for sp in found]}"
    page0 = C.list_status_pages(page=0, search=RUN)
    assert need("sp") in {sp.uuid for sp in page0}, "list_status_pages(page=0) lacks the page"


@case("statuspages/list-paging")
def _() -> None:
    # 20 status pages a page (api-contract §8.1); list_status_pages() follows hasNextPage.
    made = [fx_statuspage(f"paging{i}") for i in range(20)]
    everything = {sp.uuid for sp in C.list_status_pages()}
    first = [sp.uuid for sp in C.list_status_pages(page=0)]
    second = [sp.uuid for sp in C.list_status_pages(page=1)]
    for sp in made:
        raw("DELETE", f"/v2/statuspages/{sp}")
    p = Problems()
    p.check(set(made) <= everything, f"list_status_pages() lacks {len(set(made) - everything)} of the 20 new pages")
    p.check(len(first) == 20, f"page 0 has {len(first)} pages, not 20")
    p.check(bool(second) and not set(first) & set(second), f"page 1 has {len(second)} pages, {len(set(first) & set(second))} also on page 0")
    p.done()


@case("statuspages/update")
def _() -> None:
    sp = need("sp2")
    upd = StatusPageUpdate(name=f"compat-py fixture2 renamed {RUN}", subdomain=f"compat-py-renamed-{RUN}")
    got, err = attempt(lambda: C.update_status_page(sp, upd))
    stored = raw("GET", f"/v2/statuspages/{sp}")["statuspage"]
    p = Problems()
    p.eq("stored name", upd.name, stored.get("name"))
    p.check(str(stored.get("hostedsubdomain", "")).startswith(upd.subdomain or "?"), f"stored hostedsubdomain {stored.get('hostedsubdomain')!r}")
    if got is not None:
        p.eq("returned name", upd.name, got.name)
    if err:
        p.add(f"update_status_page raised {err}")
    p.done()


@case("subscribers/add")
def _() -> None:
    sp = need("sp")
    email = f"sdk-{RUN}@compat.invalid"
    got, err = attempt(lambda: C.add_subscriber(sp, email))
    p = Problems()
    if got is not None:
        S["sub_sdk"] = got.id
        p.eq("email", email, got.email)
    if err:
        p.add(f"add_subscriber raised {err}")
    p.done()


@case("subscribers/list")
def _() -> None:
    sp = need("sp")
    sub = raw("POST", f"/v2/statuspages/{sp}/subscribers", {"type": "email", "email": f"fixture-{RUN}@compat.invalid"})["subscriber"]
    S["sub_fixture"] = sub["id"]
    listed = C.list_subscribers(sp)
    skipped = list(SKIPPED)
    have = {str(s.id): s for s in listed}
    assert str(sub["id"]) in have, f"list_subscribers returned {len(listed)} and lacks subscriber {sub['id']}" + (f"; the SDK dropped {len(skipped)}: {skipped[0]}" if skipped else "")
    assert have[str(sub["id"])].email == sub["email"]
    no_skips("list_subscribers")


@case("subscribers/list-type")
def _() -> None:
    sp = need("sp")
    if "sub_fixture" not in S:
        S["sub_fixture"] = raw("POST", f"/v2/statuspages/{sp}/subscribers", {"type": "email", "email": f"fixture-{RUN}@compat.invalid"})["subscriber"]["id"]
    raw("POST", f"/v2/statuspages/{sp}/subscribers", {"type": "sms", "phone": "+12125550123"})
    emails = C.list_subscribers(sp, page=0, subscriber_type="email")
    skipped = list(SKIPPED)
    sms = C.list_subscribers(sp, subscriber_type="sms")
    p = Problems()
    p.check(str(S["sub_fixture"]) in {str(s.id) for s in emails}, f"type=email lacks the email subscriber ({len(emails)} listed" + (f"; the SDK dropped {len(skipped)}: {skipped[0]})" if skipped else ")"))
    p.check(str(S["sub_fixture"]) not in {str(s.id) for s in sms}, "type=sms lists the email subscriber")
    p.done()


@case("subscribers/remove")
def _() -> None:
    sp = need("sp")
    sid = S.get("sub_fixture") or raw("POST", f"/v2/statuspages/{sp}/subscribers", {"type": "email", "email": f"remove-{RUN}@compat.invalid"})["subscriber"]["id"]
    C.remove_subscriber(sp, str(sid))
    left = raw("GET", f"/v2/statuspages/{sp}/subscribers")["subscribers"]
    assert all(s["id"] != sid for s in left), "the subscriber is still listed after remove_subscriber"
    expect_error(HyperpingNotFoundError, 404, lambda: C.remove_subscriber(sp, str(sid)))


@case("statuspages/delete")
def _() -> None:
    sp = S.get("sp_sdk") or fx_statuspage("delete")
    C.delete_status_page(sp)
    expect_error(HyperpingNotFoundError, 404, lambda: C.get_status_page(sp))


# ================================ MCP ======================================================


@case("mcp/initialize")
def _() -> None:
    MCP.ensure_initialized()
    MCP.ensure_initialized()  # idempotent


@case("mcp/status-summary")
def _() -> None:
    s = MCP.get_status_summary()  # a paused monitor exists (setup), so paused_monitors is not empty
    assert s.total >= 1 and s.total == s.up + s.down + s.paused + s.unknown, f"counts {s}"
    assert s.paused >= 1 and s.paused_monitors, f"paused {s.paused}, paused_monitors {s.paused_monitors}"


@case("mcp/search")
def _() -> None:
    found = MCP.search_monitors_by_name(f"fixture target {RUN}")
    assert need("target_monitor") in {m.uuid for m in found}, f"search_monitors_by_name found {[m.uuid for m in found]}"


@case("mcp/create-monitor")
def _() -> None:
    sent = MonitorCreate(name=f"compat-py mcp {RUN}", url=HTTP_URL, check_frequency=3600, regions=["london", "paris"], http_method="HEAD", expected_status_code="2xx", alerts_wait=1)
    got = MCP.create_monitor(sent)
    S["m_mcp"] = got.uuid
    p = Problems()
    compare_monitor(sent, got, p, "create_monitor result")
    compare_monitor(sent, C.get_monitor(got.uuid), p, "REST GET")
    p.done()


@case("mcp/update-monitor")
def _() -> None:
    got = MCP.update_monitor(need("m_mcp"), name=f"compat-py mcp renamed {RUN}", check_frequency=1800)
    back = C.get_monitor(need("m_mcp"))
    p = Problems()
    p.eq("result name", f"compat-py mcp renamed {RUN}", got.name)
    p.eq("REST check_frequency", 1800, back.check_frequency)
    p.done()


@case("mcp/pause-resume-monitor")
def _() -> None:
    paused = MCP.pause_monitor(need("m_mcp"))
    assert paused.paused is True and C.get_monitor(need("m_mcp")).paused is True, "pause_monitor"
    resumed = MCP.resume_monitor(need("m_mcp"))
    assert resumed.paused is False and C.get_monitor(need("m_mcp")).paused is False, "resume_monitor"


@case("mcp/delete-monitor")
def _() -> None:
    MCP.delete_monitor(need("m_mcp"))
    expect_error(HyperpingNotFoundError, 404, lambda: C.get_monitor(need("m_mcp")))


@case("mcp/mttr")
def _() -> None:
    r = MCP.get_monitor_mttr()
    assert r.total_outages >= 0 and r.mttr >= 0


@case("mcp/mttr-monitor")
def _() -> None:
    MCP.get_monitor_mttr(need("target_monitor"))  # sends {"uuid": …}


@case("mcp/mtta")
def _() -> None:
    r = MCP.get_monitor_mtta()
    assert r.total_acknowledged >= 0 and r.mtta >= 0


@case("mcp/mtta-monitor")
def _() -> None:
    MCP.get_monitor_mtta(need("target_monitor"))  # sends {"uuid": …}


@case("mcp/response-time")
def _() -> None:
    MCP.get_monitor_response_time(need("target_monitor"))  # sends {"uuid": …}; the tool takes monitor_uuids


@case("mcp/recent-alerts")
def _() -> None:
    r = MCP.list_recent_alerts(resolution="day")
    assert isinstance(r.time_groups, list)


@case("mcp/on-call-schedules")
def _() -> None:
    assert isinstance(MCP.list_on_call_schedules(), list)


@case("mcp/on-call-schedule-get")
def _() -> None:
    # A schedule to read would come from list_on_call_schedules; no API makes one.
    schedules = MCP.list_on_call_schedules()
    if not schedules:
        _, err = attempt(lambda: MCP.get_on_call_schedule("sch_Compat0Unknown"))
        raise AssertionError(f"list_on_call_schedules is empty, so there is no schedule to read; get_on_call_schedule('sch_Compat0Unknown') raised {err}")
    got = MCP.get_on_call_schedule(schedules[0].uuid)
    assert got.uuid == schedules[0].uuid


@case("mcp/escalation-policies")
def _() -> None:
    pols = MCP.list_escalation_policies()
    assert need("policy") in {x.uuid for x in pols}, f"list_escalation_policies lacks {S.get('policy')}"


@case("mcp/escalation-policy-get")
def _() -> None:
    got = MCP.get_escalation_policy(need("policy"))
    assert got.uuid == need("policy") and got.name == f"compat-py policy {RUN}", f"{got.uuid} {got.name}"
    assert len(got.steps) == 1, f"steps {got.steps}"


@case("mcp/team-members")
def _() -> None:
    assert isinstance(MCP.list_team_members(), list)


@case("mcp/integrations")
def _() -> None:
    integ = raw("POST", "/v1/integrations", {"name": f"compat-py hook {RUN}", "type": "webhook", "settings": {"url": HTTP_URL}})
    S["integration"] = integ["uuid"]
    got = MCP.list_integrations()
    assert S["integration"] in {i.uuid for i in got}, "list_integrations lacks the webhook"


@case("mcp/integration-get")
def _() -> None:
    got = MCP.get_integration(need("integration"))
    assert got.uuid == need("integration") and got.name == f"compat-py hook {RUN}"
    assert got.integration_type == "webhook", f"integration_type {got.integration_type!r}"


def wait_for_probe_checks(min_checks: int = 1, timeout: float = 25.0) -> str:
    """The failing 10 s monitor of setup() has run at least once (raw MCP check logs)."""
    uuid = need("probe_monitor")
    deadline = time.monotonic() + timeout
    while True:
        logs = raw_mcp("get_monitor_http_logs", {"uuid": uuid})
        if logs.get("total", 0) >= min_checks or time.monotonic() > deadline:
            return uuid
        time.sleep(1)


@case("mcp/http-logs")
def _() -> None:
    uuid = wait_for_probe_checks()
    r = MCP.get_monitor_http_logs(uuid, limit=10)
    assert r.pings, f"get_monitor_http_logs: pings is empty (answer keys {sorted((r.model_extra or {}).keys())})"
    first = r.pings[0]
    assert first.date and first.location, f"first ping {first}"


@case("mcp/anomalies")
def _() -> None:
    uuid = wait_for_probe_checks()
    anomalies = MCP.get_monitor_anomalies(uuid)
    assert anomalies, "no anomaly for a monitor whose every check fails"
    a = anomalies[0]
    assert a.timestamp and a.type, f"anomaly {a}"


@case("mcp/outage-timeline")
def _() -> None:
    o = S.get("out_open") or fx_outage(need("target_monitor"), minutes_ago=15)
    got = MCP.get_outage_timeline(o)
    p = Problems()
    p.eq("outage.uuid", o, got.outage.uuid)
    p.eq("monitor.uuid", need("target_monitor"), got.monitor.uuid)
    p.check(bool(got.timeline), "timeline is empty")
    p.done()


@case("monitors/down-flag")
def _() -> None:
    # Monitor.down ("Whether monitor is currently down", used by the SDK's README) for the failing
    # probe of setup(), once the server calls it down.
    uuid = need("probe_monitor")
    deadline = time.monotonic() + 25
    while raw("GET", f"/v1/monitors/{uuid}")["status"] != "down" and time.monotonic() < deadline:
        time.sleep(1)
    status = raw("GET", f"/v1/monitors/{uuid}")["status"]
    got = C.get_monitor(uuid)
    assert got.down is True, f"the server answers status {status!r}; the SDK's Monitor.down is {got.down}"


@case("mcp/bad-arguments")
def _() -> None:
    # An MCP tool refusal arrives inside result.content as text; the SDK must raise, not return.
    try:
        MCP.get_escalation_policy("esc_Compat0Unknown")
    except HyperpingAPIError:
        return
    raise AssertionError("get_escalation_policy of an unknown uuid returned instead of raising")


# ================================ async clients ============================================

ASYNC_CASES: list[tuple[str, Callable[[Any], Any]]] = []


def acase(name: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    def deco(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        ASYNC_CASES.append((name, fn))
        return fn

    return deco


@acase("async/ping-and-errors")
async def _(a: Any) -> None:
    assert await a["c"].ping() is True
    for fn, cls, status in (
        (lambda: a["bad"].list_monitors(), HyperpingAuthError, 401),
        (lambda: a["ro"].create_monitor(MonitorCreate(name="compat-py async ro", url=HTTP_URL, paused=True)), HyperpingAuthError, 403),
        (lambda: a["c"].get_monitor(UNKNOWN["monitor"]), HyperpingNotFoundError, 404),
        (lambda: a["other"].get_monitor(need("target_monitor")), HyperpingNotFoundError, 404),
        (lambda: a["c"].create_monitor(MonitorCreate(name="compat-py async bad", url="not-a-valid-url", paused=True)), HyperpingValidationError, 422),
    ):
        try:
            await fn()
        except HyperpingAPIError as exc:
            assert isinstance(exc, cls) and exc.status_code == status, f"expected {cls.__name__} {status}, got {type(exc).__name__} {exc.status_code}"
            continue
        raise AssertionError(f"expected {cls.__name__} {status}, the call succeeded")


@acase("async/monitors")
async def _(a: Any) -> None:
    c = a["c"]
    sent = MonitorCreate(name=f"compat-py async {RUN}", url=HTTP_URL, check_frequency=3600, regions=["london"], http_method="GET", expected_status_code="200", request_headers=[RequestHeader(name="X-Async", value="1")])
    made = await c.create_monitor(sent)
    p = Problems()
    compare_monitor(sent, made, p, "create")
    compare_monitor(sent, await c.get_monitor(made.uuid), p, "GET")
    upd = MonitorUpdate(name=f"compat-py async renamed {RUN}", regions=["paris"], expected_status_code="1xx-3xx")
    compare_monitor(upd, await c.update_monitor(made.uuid, upd), p, "PUT")
    p.check((await c.pause_monitor(made.uuid)).paused is True, "pause_monitor")
    p.check((await c.resume_monitor(made.uuid)).paused is False, "resume_monitor")
    p.check(made.uuid in {m.uuid for m in await c.list_monitors()}, "list_monitors lacks it")
    await c.delete_monitor(made.uuid)
    p.done()


@acase("async/reports")
async def _(a: Any) -> None:
    c = a["c"]
    reports = await c.get_all_reports(period="7d")
    assert need("target_monitor") in {r.uuid for r in reports}, "get_all_reports lacks the monitor"
    r = await c.get_monitor_report(need("target_monitor"), period="7d")
    check_report_window(r, "7d")


async def each(p: Problems, calls: list[tuple[str, Callable[[], Any]]]) -> None:
    """Awaits each SDK call; a failure is noted and the next call still runs."""
    for label, call in calls:
        try:
            await call()
        except Exception as exc:  # noqa: BLE001
            log(traceback.format_exc())
            p.add(f"{label}: {describe(exc)}")


@acase("async/healthchecks")
async def _(a: Any) -> None:
    # The calls whose healthcheck model cannot read Hyperping's shapes (see the sync cases).
    c = a["c"]
    hc = fx_healthcheck("async", period_value=2, period_type="hours", grace_period_value=10, grace_period_type="minutes")
    S["hc_async"] = hc
    p = Problems()

    async def listed() -> None:
        got = await c.list_healthchecks()
        assert hc in {h.uuid for h in got}, f"list_healthchecks lacks {hc} ({len(got)} parsed; dropped: {SKIPPED[:1]})"

    async def read() -> None:
        got = await c.get_healthcheck(hc)
        assert got.period == 7200 and got.grace == 600, f"period {got.period}, grace {got.grace}"

    await each(p, [
        ("list_healthchecks", listed),
        ("get_healthcheck", read),
        ("create_healthcheck", lambda: c.create_healthcheck(HealthcheckCreate(name=f"compat-py async hc {RUN}", period=600, grace=60))),
        ("update_healthcheck", lambda: c.update_healthcheck(hc, HealthcheckUpdate(name=f"compat-py async hc renamed {RUN}"))),
        ("pause_healthcheck", lambda: c.pause_healthcheck(hc)),
        ("resume_healthcheck", lambda: c.resume_healthcheck(hc)),
    ])
    p.done()


@acase("async/healthchecks-delete")
async def _(a: Any) -> None:
    hc = S.get("hc_async") or fx_healthcheck("async delete", period_value=2, period_type="hours", grace_period_value=10, grace_period_type="minutes")
    await a["c"].delete_healthcheck(hc)
    r = RAW.get(f"/v2/healthchecks/{hc}")
    assert r.status_code == 404, f"GET after delete_healthcheck answered {r.status_code}"


@acase("async/incidents")
async def _(a: Any) -> None:
    c = a["c"]
    sent = IncidentCreate(title=LocalizedText(en=f"compat-py async incident {RUN}"), text=LocalizedText(en="async"), statuspages=[need("sp")])
    inc = await c.create_incident(sent)
    p = Problems()
    incident_fields(sent, inc, p, "create")
    incident_fields(sent, await c.get_incident(inc.uuid), p, "GET")
    p.check(inc.uuid in {i.uuid for i in await c.list_incidents()}, "list_incidents lacks it")
    upd = IncidentUpdateRequest(title=LocalizedText(en=f"compat-py async incident renamed {RUN}"))
    incident_fields(upd, await c.update_incident(inc.uuid, upd), p, "PUT")
    after = await c.add_incident_update(inc.uuid, AddIncidentUpdateRequest(text=LocalizedText(en="monitoring"), type="monitoring", date=iso(now())))
    p.check(bool(after.updates) and after.updates[-1].type == "monitoring", "add_incident_update")
    p.check((await c.resolve_incident(inc.uuid)).is_resolved, "resolve_incident")
    batch = await c.create_incidents(IncidentCreate(title=LocalizedText(en=f"compat-py async batch {RUN}"), text=LocalizedText(en="b"), statuspages=[need("sp"), need("sp2")]), chunk_size=1)
    p.check(len(batch) == 2, f"create_incidents made {len(batch)}")
    for i in [inc, *batch]:
        await c.delete_incident(i.uuid)
    p.done()


@acase("async/maintenance")
async def _(a: Any) -> None:
    c = a["c"]
    start = (now() - dt.timedelta(minutes=5)).replace(microsecond=0)
    sent = MaintenanceCreate(name=f"compat-py async mw {RUN}", start_date=iso(start), end_date=iso(start + dt.timedelta(hours=1)), monitors=[need("target_monitor")], title=LocalizedText(en="async"))
    mw = await c.create_maintenance(sent)
    p = Problems()
    maintenance_fields(sent, mw, p, "create")
    maintenance_fields(sent, await c.get_maintenance(mw.uuid), p, "GET")
    p.check(mw.uuid in {m.uuid for m in await c.list_maintenance()}, "list_maintenance lacks it")
    upd = MaintenanceUpdate(name=f"compat-py async mw renamed {RUN}")
    maintenance_fields(upd, await c.update_maintenance(mw.uuid, upd), p, "PUT")
    p.check(mw.uuid in {m.uuid for m in await c.get_active_maintenance()}, "get_active_maintenance lacks the running window")
    p.check(await c.is_monitor_in_maintenance(need("target_monitor")) is True, "is_monitor_in_maintenance")
    later = now() + dt.timedelta(days=5)
    batch = await c.create_maintenance_windows(MaintenanceCreate(name=f"compat-py async batch {RUN}", start_date=iso(later), end_date=iso(later + dt.timedelta(hours=1)), monitors=[need("target_monitor")], statuspages=[need("sp"), need("sp2")]), chunk_size=1)
    p.check(len(batch) == 2, f"create_maintenance_windows made {len(batch)}")
    for m in [mw, *batch]:
        await c.delete_maintenance(m.uuid)
    p.done()


@acase("async/outages-list-delete")
async def _(a: Any) -> None:
    c = a["c"]
    o = fx_outage(need("target_monitor2"), minutes_ago=12, description="compat async outage")
    S["out_async"] = o
    assert o in {x.uuid for x in await c.list_outages(status="ongoing")}, "list_outages(status=ongoing) lacks it"
    assert o in {x.uuid for x in await c.list_outages(page=0, outage_type="manual")}, "list_outages(page=0, type=manual) lacks it"
    done = fx_outage(need("target_monitor2"), minutes_ago=50, ended=True, description="compat async outage to delete")
    await c.delete_outage(done)
    assert RAW.get(f"/v2/outages/{done}").status_code == 404, "GET after delete_outage is not 404"


@acase("async/outages")
async def _(a: Any) -> None:
    # The calls whose outage models cannot read Hyperping's shapes (see the sync cases).
    c = a["c"]
    o = S.get("out_async") or fx_outage(need("target_monitor2"), minutes_ago=12, description="compat async outage")
    p = Problems()
    await each(p, [
        ("get_outage", lambda: c.get_outage(o)),
        ("create_outage", lambda: c.create_outage(need("target_monitor2"))),
        ("acknowledge_outage", lambda: c.acknowledge_outage(o)),
        ("unacknowledge_outage", lambda: c.unacknowledge_outage(o)),
        ("escalate_outage", lambda: c.escalate_outage(o)),
        ("resolve_outage", lambda: c.resolve_outage(o)),
    ])
    p.done()


@acase("async/statuspages-list-delete")
async def _(a: Any) -> None:
    c = a["c"]
    sp = need("sp")
    assert sp in {x.uuid for x in await c.list_status_pages()}, "list_status_pages lacks the page"
    assert sp in {x.uuid for x in await c.list_status_pages(page=0, search=f"fixture {RUN}")}, "list_status_pages(page=0, search) lacks the page"
    sub = raw("POST", f"/v2/statuspages/{sp}/subscribers", {"type": "email", "email": f"async-{RUN}@compat.invalid"})["subscriber"]
    await c.remove_subscriber(sp, str(sub["id"]))
    assert all(s["id"] != sub["id"] for s in raw("GET", f"/v2/statuspages/{sp}/subscribers")["subscribers"]), "remove_subscriber left it"
    extra = fx_statuspage("async-delete")
    await c.delete_status_page(extra)
    assert RAW.get(f"/v2/statuspages/{extra}").status_code == 404, "GET after delete_status_page is not 404"


@acase("async/statuspages")
async def _(a: Any) -> None:
    # The calls whose status page and subscriber models cannot read Hyperping's shapes.
    c = a["c"]
    sp = need("sp")
    sub = raw("POST", f"/v2/statuspages/{sp}/subscribers", {"type": "email", "email": f"async-list-{RUN}@compat.invalid"})["subscriber"]
    p = Problems()

    async def subscribers() -> None:
        got = await c.list_subscribers(sp)
        assert str(sub["id"]) in {str(s.id) for s in got}, f"list_subscribers lacks {sub['id']} ({len(got)} parsed; dropped: {SKIPPED[:1]})"

    await each(p, [
        ("get_status_page", lambda: c.get_status_page(sp)),
        ("create_status_page", lambda: c.create_status_page(StatusPageCreate(name=f"compat-py async page {RUN}", subdomain=f"compat-py-async-sdk-{RUN}"))),
        ("update_status_page", lambda: c.update_status_page(sp, StatusPageUpdate(name=f"compat-py fixture {RUN}"))),
        ("add_subscriber", lambda: c.add_subscriber(sp, f"async-sdk-{RUN}@compat.invalid")),
        ("list_subscribers", subscribers),
    ])
    p.done()


@acase("async/mcp-monitors")
async def _(a: Any) -> None:
    m = a["mcp"]
    await m.ensure_initialized()
    made = await m.create_monitor(MonitorCreate(name=f"compat-py async mcp {RUN}", url=HTTP_URL, check_frequency=3600, regions=["london"]))
    p = Problems()
    p.eq("create_monitor name", f"compat-py async mcp {RUN}", made.name)
    p.eq("update_monitor name", f"compat-py async mcp renamed {RUN}", (await m.update_monitor(made.uuid, name=f"compat-py async mcp renamed {RUN}")).name)
    p.eq("pause_monitor paused", True, (await m.pause_monitor(made.uuid)).paused)
    p.eq("resume_monitor paused", False, (await m.resume_monitor(made.uuid)).paused)
    p.check(made.uuid in {x.uuid for x in await m.search_monitors_by_name(f"async mcp renamed {RUN}")}, "search_monitors_by_name lacks it")
    await m.delete_monitor(made.uuid)
    p.check(RAW.get(f"/v1/monitors/{made.uuid}").status_code == 404, "delete_monitor left it")
    p.done()


@acase("async/mcp-reports")
async def _(a: Any) -> None:
    m = a["mcp"]
    p = Problems()
    await each(p, [
        ("get_monitor_mttr", lambda: m.get_monitor_mttr()),
        ("get_monitor_mtta", lambda: m.get_monitor_mtta()),
        ("list_recent_alerts", lambda: m.list_recent_alerts()),
        ("list_on_call_schedules", lambda: m.list_on_call_schedules()),
        ("list_team_members", lambda: m.list_team_members()),
    ])
    p.done()


@acase("async/mcp")
async def _(a: Any) -> None:
    # The calls whose MCP models or arguments do not fit Hyperping's tools (see the sync cases).
    m = a["mcp"]
    p = Problems()
    await each(p, [
        ("get_status_summary", lambda: m.get_status_summary()),
        ("get_monitor_response_time", lambda: m.get_monitor_response_time(need("target_monitor"))),
        ("list_escalation_policies", lambda: m.list_escalation_policies()),
        ("get_escalation_policy", lambda: m.get_escalation_policy(need("policy"))),
        ("list_integrations", lambda: m.list_integrations()),
        ("get_integration", lambda: m.get_integration(need("integration"))),
        ("get_monitor_anomalies", lambda: m.get_monitor_anomalies(need("probe_monitor"))),
        ("get_monitor_http_logs", lambda: m.get_monitor_http_logs(need("probe_monitor"))),
        ("get_outage_timeline", lambda: m.get_outage_timeline(need("out_async"))),
    ])
    p.done()


@acase("async/mcp-on-call-schedule-get")
async def _(a: Any) -> None:
    schedules = await a["mcp"].list_on_call_schedules()
    if not schedules:
        try:
            await a["mcp"].get_on_call_schedule("sch_Compat0Unknown")
        except Exception as exc:  # noqa: BLE001
            raise AssertionError(f"list_on_call_schedules is empty, so there is no schedule to read; get_on_call_schedule('sch_Compat0Unknown') raised {describe(exc)}") from exc
        raise AssertionError("list_on_call_schedules is empty, yet get_on_call_schedule returned a schedule")
    got = await a["mcp"].get_on_call_schedule(schedules[0].uuid)
    assert got.uuid == schedules[0].uuid


async def run_async_cases() -> None:
    def client(key: str, who: str) -> Any:
        c = AsyncHyperpingClient(api_key=key, base_url=URL, allow_insecure=True, retry_config=NO_RETRY, timeout=20)
        hook_async(c._client, who)
        return c

    raw_clients = {"c": client(KEY, "async"), "ro": client(RO_KEY, "async-readonly"), "other": client(OTHER_KEY, "async-other-project"), "bad": client(BAD_KEY, "async-bad-key")}
    amcp = AsyncHyperpingMcpClient(api_key=KEY, base_url=MCP_URL, allow_insecure=True, timeout=20)
    hook_async(amcp._transport._client, "async-mcp")
    a = {k: Recorded(v, "AsyncHyperpingClient") for k, v in raw_clients.items()}
    a["mcp"] = Recorded(amcp, "AsyncHyperpingMcpClient")
    try:
        for name, fn in ASYNC_CASES:
            CURRENT["case"] = name
            LAST.clear()
            SKIPPED.clear()
            log(f"\n=== {name}")
            try:
                await fn(a)
            except BaseException as exc:  # noqa: BLE001
                log(traceback.format_exc())
                report(name, False, describe(exc))
                continue
            report(name, True)
    finally:
        for v in a.values():
            await v.close()


# ================================ coverage ===================================================

CLASSES = {
    "HyperpingClient": hyperping.HyperpingClient,
    "AsyncHyperpingClient": hyperping.AsyncHyperpingClient,
    "HyperpingMcpClient": hyperping.HyperpingMcpClient,
    "AsyncHyperpingMcpClient": hyperping.AsyncHyperpingMcpClient,
}
NOT_API = {"circuit_breaker", "circuit_breaker_state_for"}  # client-side breaker state, no request


def coverage_cases() -> None:
    for label, cls in CLASSES.items():
        name = f"coverage/{label}"
        members = public_members(cls) - NOT_API
        missing = sorted(members - CALLED[label])
        log(f"coverage {label}: {len(members) - len(missing)}/{len(members)} public methods called; missing {missing}")
        report(name, not missing, f"public methods never called: {', '.join(missing)}")


def main() -> int:
    started = time.monotonic()
    log(f"hyperping {hyperping.__version__}, httpx {httpx.__version__}, run {RUN}, Vigil {URL}")
    setup()
    for name, fn in CASES:
        run_case(name, fn)
    asyncio.run(run_async_cases())
    # Close the sync clients through their public method, then report what the cases used.
    for c in (C, RO, OTHER, BAD, MCP):
        c.close()
    try:
        raw("DELETE", f"/v1/monitors/{S['probe_monitor']}")  # stop the 10 s checks
    except Exception:  # noqa: BLE001
        pass
    coverage_cases()
    log(f"python part: {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
