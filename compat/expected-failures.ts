// Cases of the compatibility suite that fail today, each with its reason. A listed case that
// starts to pass fails the suite (remove it here), so a fix on either side is noticed.
//
// Keys are `<part>/<case>` as compat/run.ts prints them.

const NOT_SERVED = 'the Go module proxy reachable from this project\'s machines answers 403 "This module version is not available" for';

export const EXPECTED: Record<string, string> = {
  // Clients that cannot be installed here (no download sites; only proxy.golang.org, which refuses them).
  'go-official/install': `${NOT_SERVED} github.com/hyperping/hyperping-go@v0.9.0 (every version, and by commit)`,
  'terraform-hyperping/install': `${NOT_SERVED} github.com/hyperping/terraform-provider-hyperping (v2.1.0, and by commit); registry.terraform.io is not reachable either`,
  'terraform-develeap/install': `${NOT_SERVED} github.com/develeap/terraform-provider-hyperping (v2.0.0, and by commit); registry.terraform.io is not reachable either`,
  'exporter/install': `${NOT_SERVED} github.com/develeap/hyperping-exporter@v1.4.1; its SDK, develeap/hyperping-go v0.4.0, is served and part go-develeap-v0.4 runs the MCP calls the exporter makes`,
};
