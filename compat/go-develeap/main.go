// The develeap Hyperping Go SDK (github.com/develeap/hyperping-go v0.7.1) against a real Vigil.
//
// compat/run.ts builds and runs this program with VIGIL_URL, keys and loopback targets in the
// environment. Every case prints exactly one line on stdout, `PASS <case>` or
// `FAIL <case>: <reason>`; everything else (each HTTP exchange the SDK makes, indented) is only
// for artifacts/compat/go-develeap.log. Cases run in order, share the resources they create
// (a monitor made by one case is read by the next), and never abort each other: a panic or an
// error fails only its own case.
//
// Everything under test goes through the SDK's public API, its decoding and its error values.
// The only direct HTTP calls are fixtures the SDK cannot make (an escalation policy and an
// integration, which Vigil creates through its own extension endpoints; see fixtures.go).
package main

import (
	"fmt"
	"time"
)

func main() {
	loadEnv()
	started := time.Now()
	fmt.Printf("go-develeap: %s, SDK github.com/develeap/hyperping-go v0.7.1\n", E.URL)

	seedFixtures()
	monitorCases()
	healthcheckCases()
	statusPageCases()
	subscriberCases()
	incidentCases()
	maintenanceCases()
	outageCases()
	reportCases()
	mcpCases()
	errorCases()
	cleanupCases()

	fmt.Printf("go-develeap: %d passed, %d failed, %d requests in %s\n", passed, failed, requests.Load(), time.Since(started).Round(time.Millisecond))
}
