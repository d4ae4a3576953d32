// The develeap Hyperping Go SDK v0.4.0, as the Prometheus exporter
// github.com/develeap/hyperping-exporter v1.4.1 uses it, against a real Vigil.
//
// The exporter cannot be built here (the Go module proxy refuses it; see
// compat/expected-failures.ts), so this program makes the exporter's own calls through the SDK
// it pins. From the exporter's internal/collector/collector.go, every refresh:
//   - REST, in parallel: ListMonitors, ListHealthchecks, ListOutages, ListMaintenance,
//     ListIncidents, then ListMonitorReports(from, to) for 24h, 7d and 30d (RFC 3339);
//   - MCP (--mcp-url): ListRecentAlerts (reads .Total), and per monitor
//     GetMonitorResponseTime(uuid) (.Avg), GetMonitorMtta(uuid) (.AvgWait) and
//     GetMonitorAnomalies(uuid) (.Score). A nil report with a nil error makes the exporter
//     dereference nil, so every MCP case also wants something decoded.
//
// The exporter's REST base URL is fixed to the hosted API; only --mcp-url can point at Vigil,
// and it must start with https:// or http://localhost, so MCP goes to http://localhost:PORT.
// The setup/ cases create, with the same SDK, the data those reads are about. Output as in
// compat/go-develeap: one PASS/FAIL line per case, the HTTP exchanges indented for the log.
package main

import (
	"fmt"
	"strings"
	"time"
)

func main() {
	loadEnv()
	E.MCPURL = strings.Replace(E.MCPURL, "://127.0.0.1:", "://localhost:", 1)
	started := time.Now()
	fmt.Printf("go-develeap-v0.4: %s (MCP %s), SDK github.com/develeap/hyperping-go v0.4.0\n", E.URL, E.MCPURL)

	setupCases()
	restCases()
	mcpCases()

	fmt.Printf("go-develeap-v0.4: %d passed, %d failed, %d requests in %s\n", passed, failed, requests.Load(), time.Since(started).Round(time.Millisecond))
}
