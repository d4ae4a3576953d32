package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Fixtures the SDK cannot create. Hyperping has no public endpoint for escalation policies or
// integrations (they are read through MCP only), so they are made with Vigil's own extension
// endpoints (/v1/integrations, /v1/escalation-policies) by plain HTTP. Only the setup uses
// these; every read of them goes through the SDK (monitor and healthcheck escalation_policy,
// MCP list/get of policies and integrations).
var fx struct {
	policyUUID, policyName           string
	integrationUUID, integrationName string
}

func vigilPost(path string, body any) (map[string]any, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, E.URL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+E.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := loggingHTTPClient().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("POST %s: %d %s", path, resp.StatusCode, clip(out))
	}
	var m map[string]any
	return m, json.Unmarshal(out, &m)
}

func seedFixtures() {
	run("setup/fixtures", func() error {
		fx.integrationName = "Compat webhook " + randSuffix(6)
		in, err := vigilPost("/v1/integrations", map[string]any{
			"name": fx.integrationName, "type": "webhook", "settings": map[string]any{"url": E.HTTPURL + "webhook"},
		})
		if err != nil {
			return err
		}
		fx.integrationUUID, _ = in["uuid"].(string)
		fx.policyName = "Compat policy " + randSuffix(6)
		pol, err := vigilPost("/v1/escalation-policies", map[string]any{
			"name": fx.policyName, "steps": []any{map[string]any{"delayMinutes": 0, "integrations": []string{fx.integrationUUID}}},
		})
		if err != nil {
			return err
		}
		fx.policyUUID, _ = pol["uuid"].(string)
		if fx.policyUUID == "" || fx.integrationUUID == "" {
			return fmt.Errorf("fixtures without uuid: policy %v, integration %v", pol, in)
		}
		return nil
	})
}
