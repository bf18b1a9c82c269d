package container

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

// The rsppeer image as a responder: ready on /healthz, and the host-side initiator completes
// the whole flow (SCT issuance, sequence, 20 messages, close, terminate, cancel) against it.
func TestRsppeerResponderContainer(t *testing.T) {
	requireDocker(t)
	ctx := testContext(t)
	img := rsppeerImage(t, ctx)
	tg, err := Run(ctx, img, WithRole("responder"), WithEndpointPath("/rm"), logger(t))
	stopOnCleanup(t, tg)
	if err != nil {
		t.Fatal(err)
	}
	health := strings.TrimSuffix(tg.Endpoint(), "/rm") + DefaultHealth
	resp, err := http.Get(health)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", health, resp.Status)
	}
	out, err := runInitiator(t, ctx, tg.Endpoint(), "--messages", "20")
	if err != nil {
		t.Fatalf("initiator against %s: %v\n%s", tg.Endpoint(), err, out)
	}
	t.Logf("initiator: %s", excerpt(out, 400))
	logs := tg.LogsString(ctx)
	if !strings.Contains(logs, "endpoint: ") {
		t.Errorf("container logs lack the endpoint line:\n%s", logs)
	}
}

// The TESTCASE contract: an unsupported test case exits 127 before the peer starts.
func TestRsppeerUnsupportedTestcaseExits127(t *testing.T) {
	requireDocker(t)
	ctx := testContext(t)
	img := rsppeerImage(t, ctx)
	tg, err := Run(ctx, img, WithRole("responder"), WithTestcase("zero-rtt"), WithRunToCompletion(), logger(t))
	stopOnCleanup(t, tg)
	if err != nil {
		t.Fatal(err)
	}
	code, err := tg.ExitCode(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if code != 127 {
		t.Fatalf("exit %d, want 127; logs:\n%s", code, tg.LogsString(ctx))
	}
	if logs := tg.LogsString(ctx); !strings.Contains(logs, "unsupported test case") {
		t.Errorf("logs: %s", logs)
	}
}

// Restart and Crash keep the container's data volume: the delivered log written under /data
// before them is still there afterwards and grows with later runs.
func TestRsppeerRestartKeepsDataVolume(t *testing.T) {
	requireDocker(t)
	ctx := testContext(t)
	img := rsppeerImage(t, ctx)
	tg, err := Run(ctx, img, WithRole("responder"), WithEndpointPath("/rm"), WithDataVolume("", "/data"),
		testcontainers.WithEnv(map[string]string{"DELIVERED": "/data/delivered.jsonl"}), logger(t))
	stopOnCleanup(t, tg)
	if err != nil {
		t.Fatal(err)
	}
	delivered := func() int {
		t.Helper()
		b, err := tg.ReadFile(ctx, "/data/delivered.jsonl")
		if err != nil {
			t.Fatalf("read delivered log: %v", err)
		}
		return strings.Count(string(b), "\n")
	}
	send := func(n string) {
		t.Helper()
		if out, err := runInitiator(t, ctx, tg.Endpoint(), "--messages", n); err != nil {
			t.Fatalf("initiator: %v\n%s", err, out)
		}
	}
	send("3")
	if got := delivered(); got != 3 {
		t.Fatalf("delivered %d, want 3", got)
	}
	if err := tg.Restart(ctx, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	send("2")
	if got := delivered(); got != 5 {
		t.Fatalf("after restart: delivered %d, want 5 (3 before the restart, 2 after)", got)
	}
	if err := tg.Crash(ctx); err != nil {
		t.Fatal(err)
	}
	send("1")
	if got := delivered(); got != 6 {
		t.Fatalf("after kill -9: delivered %d, want 6", got)
	}
	t.Logf("volume %s kept 6 deliveries across a restart and a kill -9; endpoint now %s", tg.Volume(), tg.Endpoint())
}
