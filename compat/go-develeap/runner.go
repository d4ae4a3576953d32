// The case runner and the helpers both Go parts share (compat/go-develeap and
// compat/go-develeap-v0.4 keep identical copies of this file: each part is its own module,
// pinned to its own SDK version).
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	hp "github.com/develeap/hyperping-go"
)

// env is what compat/run.ts hands every part.
type env struct {
	URL, MCPURL                   string
	Key, ReadOnlyKey, OtherKey    string
	ProjectUUID                   string
	HTTPURL, Host, DNSName, DNSNS string
	TCPPort                       int
}

var E env

func loadEnv() {
	get := func(k string) string {
		v := os.Getenv(k)
		if v == "" {
			fmt.Fprintf(os.Stderr, "missing environment variable %s\n", k)
			os.Exit(2)
		}
		return v
	}
	E = env{
		URL: get("VIGIL_URL"), MCPURL: get("VIGIL_MCP_URL"),
		Key: get("VIGIL_API_KEY"), ReadOnlyKey: get("VIGIL_READONLY_KEY"), OtherKey: get("VIGIL_OTHER_PROJECT_KEY"),
		ProjectUUID: get("VIGIL_PROJECT_UUID"),
		HTTPURL:     get("COMPAT_HTTP_URL"), Host: get("COMPAT_HOST"), DNSName: get("COMPAT_DNS_NAME"), DNSNS: get("COMPAT_DNS_NAMESERVER"),
	}
	if _, err := fmt.Sscanf(get("COMPAT_TCP_PORT"), "%d", &E.TCPPort); err != nil {
		fmt.Fprintf(os.Stderr, "bad COMPAT_TCP_PORT: %v\n", err)
		os.Exit(2)
	}
}

// ---------------------------------------------------------------------------------------------
// HTTP log: every exchange the SDK makes, for the part's log file.

var requests atomic.Int64

type logTransport struct{ base http.RoundTripper }

const logBody = 1500

func clip(b []byte) string {
	s := strings.ReplaceAll(string(b), "\n", " ")
	if len(s) > logBody {
		return s[:logBody] + fmt.Sprintf("…(%d bytes)", len(b))
	}
	return s
}

func (t logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	requests.Add(1)
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	fmt.Printf("  >> %s %s %s\n", req.Method, req.URL.RequestURI(), clip(body))
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		fmt.Printf("  << transport error: %v\n", err)
		return resp, err
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(out))
	fmt.Printf("  << %d %s\n", resp.StatusCode, clip(out))
	return resp, nil
}

func loggingHTTPClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: logTransport{base: &http.Transport{MaxIdleConnsPerHost: 10}}}
}

// restClient is the SDK's REST client as an application would build it, pointed at Vigil. The
// retry wait is shortened (attempts stay at the SDK default) so a failing case fails fast; each
// case gets its own client so that one case's 5xx cannot open the circuit breaker for the next.
func restClient(key string) *hp.Client {
	return hp.NewClient(key,
		hp.WithBaseURL(E.URL),
		hp.WithHTTPClient(loggingHTTPClient()),
		hp.WithRetryWait(50*time.Millisecond, 200*time.Millisecond),
		hp.WithVersion("vigil-compat"),
	)
}

func mcpClient(key string) (*hp.MCPClient, *hp.McpTransport) {
	tr, err := hp.NewMcpTransport(key, E.MCPURL, hp.WithMCPHTTPClient(loggingHTTPClient()), hp.WithMCPMaxRetries(1))
	if err != nil {
		panic(fmt.Sprintf("NewMcpTransport: %v", err))
	}
	return hp.NewMCPClient(tr), tr
}

// ---------------------------------------------------------------------------------------------
// Case runner.

var (
	ctx    context.Context
	c      *hp.Client // the read-write key's client for the current case
	passed int
	failed int
)

func ctxBackground() context.Context { return context.Background() }

type failure struct{ msg string }

func (f failure) Error() string { return f.msg }

// need stops a case whose precondition (something an earlier case should have created) is missing.
func need(ok bool, what string) {
	if !ok {
		panic(failure{"precondition: " + what})
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 900 {
		s = s[:900] + "…"
	}
	return s
}

func run(name string, fn func() error) {
	fmt.Printf("=== %s\n", name)
	before := requests.Load()
	var cancel context.CancelFunc
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c = restClient(E.Key)
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				if f, ok := r.(failure); ok {
					err = f
				} else {
					err = fmt.Errorf("panic: %v", r)
				}
			}
		}()
		return fn()
	}()
	fmt.Printf("  (%d requests)\n", requests.Load()-before)
	if err != nil {
		failed++
		fmt.Printf("FAIL %s: %s\n", name, oneLine(err.Error()))
		return
	}
	passed++
	fmt.Printf("PASS %s\n", name)
}

// ---------------------------------------------------------------------------------------------
// Field-by-field comparison: each mismatch is reported as `field: sent X, got Y`.

type diff struct{ items []string }

func show(v any) string {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return "<absent>"
	}
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "null"
		}
		return show(rv.Elem().Interface())
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	if s, ok := v.(hp.FlexibleString); ok {
		return fmt.Sprintf("%q", string(s))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// norm makes nil and empty slices/maps equal and dereferences pointers.
func norm(v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil
	}
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return norm(rv.Elem().Interface())
	case reflect.Slice, reflect.Map:
		if rv.Len() == 0 {
			return nil
		}
	}
	return v
}

func (d *diff) eq(field string, sent, got any) {
	if !reflect.DeepEqual(norm(sent), norm(got)) {
		d.items = append(d.items, fmt.Sprintf("%s: sent %s, got %s", field, show(sent), show(got)))
	}
}

// want records a mismatch against an expectation that is not simply the value sent.
func (d *diff) want(field string, ok bool, format string, args ...any) {
	if !ok {
		d.items = append(d.items, field+": "+fmt.Sprintf(format, args...))
	}
}

// sameTime compares two timestamps as instants (the server normalises to .000Z).
func (d *diff) sameTime(field, sent string, got *string) {
	if got == nil {
		d.items = append(d.items, fmt.Sprintf("%s: sent %q, got null", field, sent))
		return
	}
	a, err1 := time.Parse(time.RFC3339, sent)
	b, err2 := time.Parse(time.RFC3339, *got)
	if err1 != nil || err2 != nil || !a.Equal(b) {
		d.items = append(d.items, fmt.Sprintf("%s: sent %q, got %q", field, sent, *got))
	}
}

func (d *diff) err(prefix string) error {
	if len(d.items) == 0 {
		return nil
	}
	return fmt.Errorf("%s%s", prefix, strings.Join(d.items, "; "))
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

func ptr[T any](v T) *T { return &v }

func randSuffix(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		x, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[x.Int64()]
	}
	return string(b)
}

func iso(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// apiStatus is the HTTP status inside an SDK error (0 when the error is not an *hp.APIError).
func apiStatus(err error) int {
	var ae *hp.APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	return 0
}

func apiMessage(err error) string {
	var ae *hp.APIError
	if errors.As(err, &ae) {
		return ae.Message
	}
	return ""
}
