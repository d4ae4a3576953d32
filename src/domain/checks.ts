/** What a check is given and what it reports: shared by the prober and the services that store results. */

/** What a check needs to know about its monitor. */
export interface CheckTarget {
  protocol: 'http' | 'port' | 'icmp' | 'dns';
  /** http(s) URL for http; URL or bare host for port/icmp; domain (or URL) for dns. */
  url: string;
  port: number | null;
  http_method: string;
  request_headers: { name: string; value: string }[] | null;
  request_body: string;
  follow_redirects: boolean;
  /** '200' | '2xx' | '1xx-3xx' */
  expected_status_code: string;
  required_keyword: string | null;
  /** Seconds. */
  timeout: number;
  dns_record_type: string | null;
  dns_nameserver: string | null;
  dns_expected_answer: string | null;
  /** 4 or 6: connect over that IP version only (http, port, icmp). Absent: either. */
  ip_version?: 4 | 6;
}

export interface CheckResult {
  ok: boolean;
  /** HTTP status; null for other kinds. */
  statusCode: number | null;
  /** Wall time of the check (ICMP: the round-trip time). */
  totalMs: number;
  /** Phases; null when not applicable. */
  dnsMs: number | null;
  connectMs: number | null;
  tlsMs: number | null;
  ttfbMs: number | null;
  /** Short reason when !ok. */
  error: string | null;
  /** https only: certificate notAfter as epoch ms. */
  sslExpiresAt?: number | null;
  /** https only: SHA-256 fingerprint of the certificate served for the monitor's own URL. */
  sslFingerprint?: string | null;
}
