package container

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// Target is a running (or finished) container started by Run.
type Target struct {
	c        *testcontainers.DockerContainer
	s        settings
	endpoint string
}

// Endpoint is the SOAP endpoint URL on the host (http://host:mapped-port/path). The mapped
// port can change across Restart and Crash, so read it again after those.
func (t *Target) Endpoint() string { return t.endpoint }

// ID is the container's ID.
func (t *Target) ID() string { return t.c.GetContainerID() }

// Container is testcontainers' handle, for what this type does not wrap.
func (t *Target) Container() *testcontainers.DockerContainer { return t.c }

// Volume is the name of the data volume ("" without WithDataVolume).
func (t *Target) Volume() string { return t.s.volume }

// IP is the container's address on its network, for a peer container that calls it.
func (t *Target) IP(ctx context.Context) (string, error) { return t.c.ContainerIP(ctx) }

func (t *Target) refresh(ctx context.Context) error {
	hp, err := t.c.PortEndpoint(ctx, t.s.port, "")
	if err != nil {
		return fmt.Errorf("endpoint of %s: %w", t.ID(), err)
	}
	t.endpoint = (&url.URL{Scheme: "http", Host: hp, Path: t.s.path}).String()
	return nil
}

// Logs returns the container's output so far (stdout and stderr, every start), for reports.
func (t *Target) Logs(ctx context.Context) ([]byte, error) {
	rc, err := t.c.Logs(ctx)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// ExitCode waits (within ctx) for the container to exit and returns its exit status.
func (t *Target) ExitCode(ctx context.Context) (int, error) {
	for {
		st, err := t.c.State(ctx)
		if err != nil {
			return -1, err
		}
		if !st.Running && st.Status != "created" {
			return st.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// ReadFile copies one file out of the container (running or not): scratch images have no
// shell to cat it with.
func (t *Target) ReadFile(ctx context.Context, path string) ([]byte, error) {
	rc, err := t.c.CopyFileFromContainer(ctx, path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// Restart stops the container gracefully (SIGTERM, then SIGKILL after grace) and starts the
// same container again: same filesystem, same data volume, same environment. It waits for
// readiness again and refreshes Endpoint.
func (t *Target) Restart(ctx context.Context, grace time.Duration) error {
	if err := t.c.Stop(ctx, &grace); err != nil {
		return fmt.Errorf("restart %s: %w", t.ID(), err)
	}
	return t.start(ctx)
}

// Kill sends SIGKILL and waits for the container to exit (it is not started again).
func (t *Target) Kill(ctx context.Context) error {
	p, err := provider()
	if err != nil {
		return err
	}
	defer p.Close()
	if _, err := p.Client().ContainerKill(ctx, t.ID(), client.ContainerKillOptions{Signal: "KILL"}); err != nil {
		return fmt.Errorf("kill %s: %w", t.ID(), err)
	}
	deadline, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = t.ExitCode(deadline)
	return err
}

// Crash kills the container with SIGKILL (no chance to flush or say goodbye: kill -9 means
// kill -9) and starts it again, for recovery specs.
func (t *Target) Crash(ctx context.Context) error {
	p, err := provider()
	if err != nil {
		return err
	}
	defer p.Close()
	if _, err := p.Client().ContainerKill(ctx, t.ID(), client.ContainerKillOptions{Signal: "KILL"}); err != nil {
		return fmt.Errorf("crash %s: %w", t.ID(), err)
	}
	deadline, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := t.ExitCode(deadline); err != nil {
		return fmt.Errorf("crash %s: %w", t.ID(), err)
	}
	return t.start(ctx)
}

func (t *Target) start(ctx context.Context) error {
	if err := t.c.Start(ctx); err != nil {
		return fmt.Errorf("start %s: %w", t.ID(), err)
	}
	return t.refresh(ctx)
}

// Stop removes the container (after a graceful stop) and the data volume if Run created it.
// A nil Target is fine, so that `defer t.Stop(ctx)` can follow a failed Run.
func (t *Target) Stop(ctx context.Context) error {
	if t == nil {
		return nil
	}
	opts := []testcontainers.TerminateOption{testcontainers.StopTimeout(10 * time.Second)}
	if t.s.ownVolume {
		opts = append(opts, testcontainers.RemoveVolumes(t.s.volume))
	}
	return t.c.Terminate(ctx, opts...)
}

// LogsString is Logs for a report, with the error folded in.
func (t *Target) LogsString(ctx context.Context) string {
	b, err := t.Logs(ctx)
	if err != nil {
		return fmt.Sprintf("(logs unavailable: %v)", err)
	}
	return string(bytes.TrimSpace(b))
}
