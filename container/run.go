package container

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// Defaults of Run.
const (
	DefaultPort    = "8080/tcp"
	DefaultHealth  = "/healthz"
	startupTimeout = 60 * time.Second
	exitTimeout    = 3 * time.Minute
)

// settings are the options of this package (as opposed to testcontainers' generic ones).
type settings struct {
	port      string
	path      string
	volume    string // named volume mounted at dataDir ("" = none)
	dataDir   string
	ownVolume bool // created for this target: removed by Stop
	wait      string
	stable    bool // bind a fixed host port, kept across Restart and Crash
}

// Option is one of this package's options. It is a testcontainers.ContainerCustomizer, so
// Run takes it mixed with testcontainers' generic options (WithEnv, WithCmd, WithLogger...),
// as testcontainers' own modules do.
type Option func(*settings)

// Customize is a no-op: Run applies Options to its settings before building the request.
func (o Option) Customize(*testcontainers.GenericContainerRequest) error { return nil }

// WithPort sets the container port of the SOAP endpoint (default 8080/tcp).
func WithPort(port string) Option {
	return func(s *settings) {
		if !strings.Contains(port, "/") {
			port += "/tcp"
		}
		s.port = port
	}
}

// WithEndpointPath sets the path of the SOAP endpoint in Target.Endpoint (default "/").
func WithEndpointPath(path string) Option { return func(s *settings) { s.path = path } }

// WithDataVolume mounts the named volume at dir (the peer's data directory) so that its state
// survives Restart and Crash; with name "", a fresh volume is created and Stop removes it.
func WithDataVolume(name, dir string) Option {
	return func(s *settings) {
		s.volume, s.dataDir, s.ownVolume = name, dir, name == ""
		if name == "" {
			s.volume = fmt.Sprintf("rspcheck-data-%d", time.Now().UnixNano())
		}
	}
}

// WithStablePort binds the endpoint to a host port chosen once (free at start), instead of
// letting the engine pick one at every start: Docker re-allocates an ephemeral mapping when a
// container restarts, and a recovery spec's client must reach the restarted SUT at the same
// endpoint.
func WithStablePort() Option { return func(s *settings) { s.stable = true } }

// WithPortWait waits for the port to listen instead of GET /healthz, for images without a
// health endpoint.
func WithPortWait() Option { return func(s *settings) { s.wait = "port" } }

// WithoutWait returns as soon as the container is started, for a one-shot client that the
// caller awaits (Target.ExitCode) or kills (Target.Kill) itself.
func WithoutWait() Option { return func(s *settings) { s.wait = "started" } }

// WithRunToCompletion waits for the container to exit instead of for readiness: for one-shot
// clients (an initiator image that runs its test case and exits).
func WithRunToCompletion() Option { return func(s *settings) { s.wait = "exit" } }

// WithRole sets ROLE, the role of the peer in the image contract (responder|initiator for
// rsppeer, server|client for the gSOAP peer).
func WithRole(role string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"ROLE": role})
}

// WithTestcase sets TESTCASE; an image exits 127 for a test case it does not support.
func WithTestcase(name string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"TESTCASE": name})
}

// WithHostAccess makes the host reachable from the container as host.docker.internal (the
// bridge gateway, Docker's "host-gateway"), for a container that calls a peer on the host.
// A server on the host must listen on the gateway address (see GatewayIP), not on loopback.
func WithHostAccess() testcontainers.CustomizeRequestOption {
	return testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
		hc.ExtraHosts = append(hc.ExtraHosts, "host.docker.internal:host-gateway")
	})
}

func (s *settings) deadline() time.Duration {
	if s.wait == "exit" {
		return exitTimeout
	}
	return startupTimeout
}

// waitStrategy returns the readiness strategy for s.
func (s *settings) waitStrategy() wait.Strategy {
	switch s.wait {
	case "exit":
		// A one-shot client is done when it exits; its exit code is the verdict.
		return wait.ForExit().WithExitTimeout(exitTimeout)
	case "port":
		// A scratch image has no shell, so the internal check (which runs a shell command in
		// the container) cannot work; the host-side dial of the mapped port is enough.
		return wait.ForListeningPort(s.port).SkipInternalCheck().WithStartupTimeout(startupTimeout)
	default:
		// GET /healthz answers 200 only once the peer's listener serves requests: readiness of
		// the SOAP endpoint itself, checked from the host through the mapped port.
		return wait.ForHTTP(DefaultHealth).WithPort(s.port).WithStartupTimeout(startupTimeout)
	}
}

// Run starts a container of the locally built image img and waits until it is ready (or, with
// WithRunToCompletion, until it exited). On error the partly started container is returned
// too, when there is one, so that its logs can be read; Stop it either way.
func Run(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*Target, error) {
	p, err := provider()
	if err != nil {
		return nil, err
	}
	defer p.Close()
	if err := present(ctx, p, img); err != nil {
		return nil, err
	}
	s := settings{port: DefaultPort, path: "/"}
	var generic []testcontainers.ContainerCustomizer
	for _, o := range opts {
		if so, ok := o.(Option); ok {
			so(&s)
			continue
		}
		generic = append(generic, o)
	}
	base := []testcontainers.ContainerCustomizer{testcontainers.WithExposedPorts(s.port)}
	if s.wait != "started" {
		base = append(base, testcontainers.WithWaitStrategyAndDeadline(s.deadline(), s.waitStrategy()))
	}
	if s.stable {
		hostPort, err := freePort()
		if err != nil {
			return nil, err
		}
		cport, err := network.ParsePort(s.port)
		if err != nil {
			return nil, fmt.Errorf("port %s: %w", s.port, err)
		}
		base = append(base, testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			if hc.PortBindings == nil {
				hc.PortBindings = network.PortMap{}
			}
			hc.PortBindings[cport] = []network.PortBinding{{HostPort: hostPort}}
		}))
	}
	if s.volume != "" {
		base = append(base, testcontainers.WithMounts(testcontainers.VolumeMount(s.volume, testcontainers.ContainerMountTarget(s.dataDir))))
	}
	c, err := testcontainers.Run(ctx, img, append(base, generic...)...)
	var t *Target
	if c != nil {
		t = &Target{c: c, s: s}
	}
	if err != nil {
		return t, fmt.Errorf("run %s: %w", img, err)
	}
	if s.wait != "exit" && s.wait != "started" {
		if err := t.refresh(ctx); err != nil {
			return t, err
		}
	}
	return t, nil
}

// freePort is a TCP port free on the host right now.
func freePort() (string, error) {
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		return "", fmt.Errorf("pick a host port: %w", err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// Spec describes a target for Start: the shape a SUT descriptor is read into.
type Spec struct {
	Image    string            // a local image (built with Build or the Build* helpers)
	Role     string            // ROLE
	Testcase string            // TESTCASE
	Env      map[string]string // further environment
	Args     []string          // arguments after the image's entrypoint
	Port     string            // container port of the SOAP endpoint (default 8080/tcp)
	Path     string            // path of the SOAP endpoint (default "/")
	Health   string            // "http" (GET /healthz, default), "port", "exit" or "started" (no wait)
	DataDir  string            // mount a fresh named volume here, kept across restarts
	Stable   bool              // a fixed host port, the same endpoint after Restart and Crash
	// Bind mounts a host directory at DataDir instead of a fresh volume (the state of a
	// one-shot container kept across two runs).
	Bind string
}

// Start runs spec's image with the matching options.
func Start(ctx context.Context, spec Spec, extra ...testcontainers.ContainerCustomizer) (*Target, error) {
	env := map[string]string{}
	for k, v := range spec.Env {
		env[k] = v
	}
	if spec.Role != "" {
		env["ROLE"] = spec.Role
	}
	if spec.Testcase != "" {
		env["TESTCASE"] = spec.Testcase
	}
	opts := []testcontainers.ContainerCustomizer{testcontainers.WithEnv(env)}
	if len(spec.Args) > 0 {
		opts = append(opts, testcontainers.WithCmd(spec.Args...))
	}
	if spec.Port != "" {
		opts = append(opts, WithPort(spec.Port))
	}
	if spec.Path != "" {
		opts = append(opts, WithEndpointPath(spec.Path))
	}
	switch spec.Health {
	case "", "http":
	case "port":
		opts = append(opts, WithPortWait())
	case "exit":
		opts = append(opts, WithRunToCompletion())
	case "started":
		opts = append(opts, WithoutWait())
	default:
		return nil, fmt.Errorf("spec %s: unknown health %q (http, port, exit or started)", spec.Image, spec.Health)
	}
	switch {
	case spec.DataDir != "" && spec.Bind != "":
		bind := spec.Bind + ":" + spec.DataDir
		opts = append(opts, testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.Binds = append(hc.Binds, bind)
		}))
	case spec.DataDir != "":
		opts = append(opts, WithDataVolume("", spec.DataDir))
	}
	if spec.Stable {
		opts = append(opts, WithStablePort())
	}
	return Run(ctx, spec.Image, append(opts, extra...)...)
}
