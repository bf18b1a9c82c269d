package container

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

var hostBin struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if hostBin.dir != "" {
		os.RemoveAll(hostBin.dir)
	}
	os.Exit(code)
}

// requireDocker skips without an engine, or fails when RSPCHECK_REQUIRE_DOCKER=1.
func requireDocker(t *testing.T) {
	t.Helper()
	if ok, reason := Available(); !ok {
		if Required() {
			t.Fatalf("%s=1 and %s", RequireEnv, reason)
		}
		t.Skipf("skipped: %s (set %s=1 to make this a failure)", reason, RequireEnv)
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := ModuleRoot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func rsppeerImage(t *testing.T, ctx context.Context) string {
	t.Helper()
	img, err := BuildRsppeer(ctx, moduleRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// gsoapImage builds the gSOAP image; without Debian's gSOAP packages the test is skipped (or
// fails under RSPCHECK_REQUIRE_DOCKER=1, where CI has run deps.sh).
func gsoapImage(t *testing.T, ctx context.Context) string {
	t.Helper()
	img, err := BuildGSOAP(ctx, moduleRoot(t))
	if errors.Is(err, ErrToolchainMissing) && !Required() {
		t.Skipf("skipped: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// hostRsppeer is the rsppeer binary for the host side of a test, built once per process.
func hostRsppeer(t *testing.T) string {
	t.Helper()
	hostBin.once.Do(func() {
		hostBin.dir, hostBin.err = os.MkdirTemp("", "rspcheck-container-test-")
		if hostBin.err == nil {
			_, hostBin.err = command(context.Background(), moduleRoot(t), []string{"CGO_ENABLED=0"},
				"go", "build", "-o", filepath.Join(hostBin.dir, "rsppeer"), "./cmd/rsppeer")
		}
	})
	if hostBin.err != nil {
		t.Fatal(hostBin.err)
	}
	return filepath.Join(hostBin.dir, "rsppeer")
}

// logger sends testcontainers' progress lines to the test log.
func logger(t *testing.T) testcontainers.ContainerCustomizer {
	return testcontainers.WithLogger(tclog.TestLogger(t))
}

// stopOnCleanup removes the target at the end of the test, logging its output on failure.
func stopOnCleanup(t *testing.T, tg *Target) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if t.Failed() && tg != nil {
			t.Logf("container logs:\n%s", tg.LogsString(ctx))
		}
		if err := tg.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
}

// runInitiator runs the host-side rsppeer initiator and returns its exit error and output.
func runInitiator(t *testing.T, ctx context.Context, to string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, hostRsppeer(t), append([]string{"initiator", "--to", to}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// hostResponder is an rsppeer responder on the host, listening on addr.
type hostResponder struct {
	cmd      *exec.Cmd
	endpoint string
	stderr   bytes.Buffer
}

func startHostResponder(t *testing.T, addr string, args ...string) *hostResponder {
	t.Helper()
	r := &hostResponder{}
	r.cmd = exec.Command(hostRsppeer(t), append([]string{"responder", "--listen", addr}, args...)...)
	r.cmd.Stderr = &r.stderr
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = r.cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- r.cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = r.cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "endpoint: ") {
		t.Fatalf("responder did not announce its endpoint: %q %v (stderr %s)", line, err, r.stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	r.endpoint = strings.TrimSpace(strings.TrimPrefix(line, "endpoint: "))
	return r
}

// provisionedSCT is the out-of-band token of the gSOAP peers: an identifier and 32 random
// bytes of secret (gSOAP has no WS-Trust issuer).
func provisionedSCT(t *testing.T) map[string]string {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	var id [16]byte
	_, _ = rand.Read(id[:])
	return map[string]string{
		"SCT_ID":     fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", id[0:4], id[4:6], id[6:8], id[8:10], id[10:]),
		"SCT_SECRET": base64.StdEncoding.EncodeToString(secret),
	}
}

// excerpt shortens s for a log line.
func excerpt(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
