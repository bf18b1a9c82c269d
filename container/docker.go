package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

// RequireEnv names the variable that turns a missing Docker engine from a skip into a failure
// (CI sets RSPCHECK_REQUIRE_DOCKER=1).
const RequireEnv = "RSPCHECK_REQUIRE_DOCKER"

// Required reports whether container specs must run (RSPCHECK_REQUIRE_DOCKER=1).
func Required() bool { return os.Getenv(RequireEnv) == "1" }

var noReaper sync.Once

// disableReaper keeps testcontainers from starting Ryuk, whose image cannot be pulled here.
// An explicit TESTCONTAINERS_RYUK_DISABLED (even "false") is left alone.
func disableReaper() {
	noReaper.Do(func() {
		if _, set := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !set {
			_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
		}
	})
}

var hostOverride sync.Once

// pinLocalHost fixes the address at which testcontainers reaches published ports, before it
// infers one. Its inference goes wrong on machines that are themselves containers (they have a
// /.dockerenv) but run their own engine: it asks for the bridge network's IPAM gateway, which
// Docker 20.10 does not report for the default bridge, and falls back to this machine's
// default route (here 192.0.2.1, an address outside the sandbox that must never be a target).
// When the bridge's gateway is an address of this machine, the engine is local and its
// published ports are on 127.0.0.1. An explicit TESTCONTAINERS_HOST_OVERRIDE is left alone.
func pinLocalHost(ctx context.Context, p *testcontainers.DockerProvider) {
	hostOverride.Do(func() {
		if _, set := os.LookupEnv("TESTCONTAINERS_HOST_OVERRIDE"); set {
			return
		}
		if _, err := localGateway(ctx, p); err == nil {
			_ = os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
		}
	})
}

// localGateway returns this machine's address on the default bridge network, or an error when
// the engine's bridge is not on this machine.
func localGateway(ctx context.Context, p *testcontainers.DockerProvider) (string, error) {
	nw, err := p.GetNetwork(ctx, testcontainers.NetworkRequest{Name: "bridge"})
	if err != nil {
		return "", fmt.Errorf("inspect the bridge network: %w", err)
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return "", err
	}
	for _, cfg := range nw.IPAM.Config {
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip, ok := netip.AddrFromSlice(ipn.IP)
			if !ok {
				continue
			}
			ip = ip.Unmap()
			if (cfg.Gateway.IsValid() && ip == cfg.Gateway) || (cfg.Subnet.IsValid() && cfg.Subnet.Contains(ip)) {
				return ip.String(), nil
			}
		}
	}
	return "", errors.New("the bridge network's gateway is not an address of this machine (remote engine?)")
}

// provider returns testcontainers' Docker provider. Its constructor panics on some broken
// environments (as SkipIfProviderIsNotHealthy acknowledges), so the panic becomes an error.
func provider() (p *testcontainers.DockerProvider, err error) {
	disableReaper()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("docker provider: %v", r)
		}
	}()
	p, err = testcontainers.NewDockerProvider()
	if err != nil {
		return nil, fmt.Errorf("docker provider: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pinLocalHost(ctx, p)
	return p, nil
}

// Available tells whether a Docker engine is reachable, and if not, why.
func Available() (ok bool, reason string) {
	p, err := provider()
	if err != nil {
		return false, "no Docker engine: " + err.Error()
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Health(ctx); err != nil {
		return false, "Docker engine not reachable: " + err.Error()
	}
	return true, ""
}

// GatewayIP is this machine's address on the default bridge network: a server on the host
// that a container must reach listens there (WithHostAccess names it host.docker.internal).
func GatewayIP(ctx context.Context) (string, error) {
	p, err := provider()
	if err != nil {
		return "", err
	}
	defer p.Close()
	if ip, err := localGateway(ctx, p); err == nil {
		return ip, nil
	}
	return p.GetGatewayIP(ctx)
}

// LogTo sends testcontainers' own progress lines (connecting, building, waiting, stopping) to
// w, or nowhere when w is nil: a command line tool keeps its output for its own progress.
func LogTo(w io.Writer) {
	if w == nil {
		tclog.SetDefault(tclog.NewNoopLogger())
		return
	}
	tclog.SetDefault(stdlog.New(w, "container: ", stdlog.LstdFlags))
}
