package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rspcheck/rspcheck/container"
	"github.com/rspcheck/rspcheck/suite/framework"
)

// containerSUT is a SUT that rspcheck run starts itself from the descriptor's container block
// (issue #7): a responder runs for the whole run; an initiator is started once per scenario
// and judged by its exit status. Every container's output is kept for the report directory.
type containerSUT struct {
	spec   framework.ContainerSpec
	image  string
	target *container.Target // the responder
	mu     sync.Mutex
	logs   strings.Builder
}

// imageOf builds (or finds) the image of spec.
func imageOf(ctx context.Context, spec framework.ContainerSpec) (string, error) {
	switch spec.Build {
	case "":
		return spec.Image, nil
	case framework.BuildRsppeer, framework.BuildGSOAP:
		root, err := container.ModuleRoot(ctx)
		if err != nil {
			return "", fmt.Errorf("container.build %s: %w", spec.Build, err)
		}
		if spec.Build == framework.BuildRsppeer {
			return container.BuildRsppeer(ctx, root)
		}
		return container.BuildGSOAP(ctx, root)
	default:
		if st, err := os.Stat(filepath.Join(spec.Build, "Dockerfile")); err != nil || st.IsDir() {
			return "", fmt.Errorf("container.build %s: no Dockerfile there", spec.Build)
		}
		return container.Build(ctx, container.Image{Name: spec.Image, Context: spec.Build})
	}
}

// startContainerSUT builds the descriptor's image and wires the run's configuration to it:
// the responder's endpoint (and restart), or the initiator's runs; the suite's own endpoints
// listen on the Docker bridge gateway so that the container reaches them. stop ends the
// responder and writes every container's output to dir/sut-container.log.
func startContainerSUT(ctx context.Context, cfg *framework.Config, dir string, verbose io.Writer) (stop func() error, err error) {
	sut := cfg.SUT
	container.LogTo(verbose)
	if ok, why := container.Available(); !ok {
		return nil, fmt.Errorf("%s: the SUT is a container, but no Docker engine is reachable: %s", sut.File, why)
	}
	c := &containerSUT{spec: *sut.Container}
	if c.image, err = imageOf(ctx, c.spec); err != nil {
		return nil, err
	}
	if cfg.Listen == "" {
		gw, err := container.GatewayIP(ctx)
		if err != nil {
			return nil, fmt.Errorf("the suite's endpoints must be reachable from the container: %w", err)
		}
		cfg.Listen = gw + ":0"
	}
	stop = func() error {
		if c.target != nil {
			c.keep("responder", c.target)
			_ = c.target.Stop(context.Background())
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		return os.WriteFile(filepath.Join(dir, "sut-container.log"), []byte(c.logs.String()), 0o644)
	}
	switch sut.Role {
	case framework.Responder:
		c.target, err = container.Start(ctx, container.Spec{Image: c.image, Env: c.spec.Env, Args: c.spec.Args,
			Port: c.spec.Port, Path: c.spec.Path, Health: c.spec.Health, DataDir: c.spec.Data, Stable: true})
		if err != nil {
			if c.target != nil {
				c.keep("responder (failed start)", c.target)
				_ = c.target.Stop(context.Background())
				c.target = nil
			}
			_ = stop()
			return nil, fmt.Errorf("start the SUT container %s: %w", c.image, err)
		}
		sut.Endpoint = c.target.Endpoint()
		cfg.RestartSUT = func(ctx context.Context) (string, error) {
			if err := c.target.Restart(ctx, 10*time.Second); err != nil {
				return "", err
			}
			return c.target.Endpoint(), nil
		}
	case framework.Initiator:
		cfg.RunSUT = c.runInitiator
	}
	return stop, nil
}

// runInitiator starts the initiator container once against endpoint and waits for it to exit.
func (c *containerSUT) runInitiator(ctx context.Context, endpoint string, vars map[string]string) (string, error) {
	vars = maps.Clone(vars)
	vars["endpoint"] = endpoint
	env := map[string]string{}
	for k, v := range c.spec.Env {
		for name, val := range vars {
			v = strings.ReplaceAll(v, "{"+name+"}", val)
		}
		env[k] = v
	}
	spec := container.Spec{Image: c.image, Env: env, Args: c.spec.Args, Health: "started"}
	if st := vars["state"]; st != "" && c.spec.Data != "" {
		spec.DataDir, spec.Bind = c.spec.Data, st // recovery: the same state for both runs
	}
	// started without ctx's deadline: the suite's cancellation is the crash, sent as SIGKILL
	t, err := container.Start(context.WithoutCancel(ctx), spec)
	if t != nil {
		defer func() { _ = t.Stop(context.Background()) }()
	}
	if err != nil {
		if t != nil {
			c.keep("initiator (failed start) -> "+endpoint, t)
		}
		return "", fmt.Errorf("run the SUT container %s: %w", c.image, err)
	}
	code, err := t.ExitCode(ctx)
	if ctx.Err() != nil {
		_ = t.Kill(context.Background()) // kill -9 of the SUT, as for a process
	}
	out := c.keep("initiator -> "+endpoint, t)
	switch {
	case err != nil:
		return out, fmt.Errorf("the SUT container %s: %w", c.image, err)
	case code != 0:
		return out, fmt.Errorf("the SUT container %s exited with status %d", c.image, code)
	}
	return out, nil
}

// keep appends a container's output to the log and returns it.
func (c *containerSUT) keep(what string, t *container.Target) string {
	b, err := t.Logs(context.Background())
	if err != nil {
		b = []byte(fmt.Sprintf("(logs unavailable: %v)\n", err))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(&c.logs, "==== %s: %s (container %s)\n%s\n", time.Now().UTC().Format(time.RFC3339), what, shortID(t.ID()), b)
	return string(b)
}

func shortID(id string) string { return id[:min(12, len(id))] }

// imageSUT is the descriptor `rspcheck run --image` stands for: the image follows the
// rsppeer contract (ROLE=responder|initiator; an initiator takes TO, MESSAGES, SEQUENCES and
// exits 0 when its run succeeded; a responder serves /healthz on 8080). Full capabilities
// are assumed, as for --target; declare them in a descriptor (--sut) otherwise.
func imageSUT(image, role, profile, soapV string) (*framework.SUT, error) {
	r := framework.Role(role)
	if r != framework.Responder && r != framework.Initiator {
		return nil, errors.New("--image needs --role responder or --role initiator")
	}
	spec := &framework.ContainerSpec{Image: image, Env: map[string]string{"ROLE": role, "PROFILE": profile, "SOAP": soapV}}
	switch {
	case image == framework.BuildRsppeer:
		spec.Build, spec.Image = framework.BuildRsppeer, container.RsppeerImage
	case isDirArg(image):
		spec.Build, spec.Image = image, "rspcheck-sut/"+strings.ToLower(filepath.Base(filepath.Clean(image)))+":local"
	}
	if r == framework.Responder {
		spec.Path = "/rm"
		if spec.Build == framework.BuildRsppeer {
			spec.Args = []string{"--duplex"}
		}
	} else {
		spec.Env["TO"], spec.Env["MESSAGES"], spec.Env["SEQUENCES"] = "{endpoint}", "{messages}", "{sequences}"
	}
	caps := []framework.Capability{framework.CapIssuance, framework.CapRenew, framework.CapCancel,
		framework.CapDerivedKeys, framework.CapClose}
	if r == framework.Responder {
		caps = append(caps, framework.CapOffer, framework.CapAddressableAT)
	}
	s := &framework.SUT{Product: spec.Image, Version: "image", Role: r, Profile: profile, SOAP: soapV, Container: spec,
		File: "--image " + image, Capabilities: caps}
	return s, s.Check()
}

// isDirArg tells a Dockerfile directory (an existing directory, or a path written as one:
// ".", "./x", "../x", "/x") from an image tag such as acme/rm:1.
func isDirArg(s string) bool {
	if st, err := os.Stat(s); err == nil && st.IsDir() {
		return true
	}
	return s == "." || s == ".." || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || filepath.IsAbs(s)
}
