package container

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// A vendor's image: a plain build context directory with a Dockerfile (here FROM scratch with
// the static rsppeer binary), started with arguments and awaited on /healthz.
func TestBuildFromContextDirectory(t *testing.T) {
	requireDocker(t)
	ctx := testContext(t)
	dir := t.TempDir()
	bin, err := os.ReadFile(hostRsppeer(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "peer"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	df := "FROM scratch\nCOPY peer /peer\nEXPOSE 9000\nENTRYPOINT [\"/peer\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	const name = "rspcheck/adapter-test:context"
	img, err := Build(ctx, Image{Name: name, Context: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p, err := provider(); err == nil {
			_, _ = p.Client().ImageRemove(ctx, name, client.ImageRemoveOptions{PruneChildren: true})
			p.Close()
		}
	})
	tg, err := Run(ctx, img, WithPort("9000"), WithEndpointPath("/rm"),
		testcontainers.WithCmd("responder", "--listen", ":9000"), logger(t))
	stopOnCleanup(t, tg)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := runInitiator(t, ctx, tg.Endpoint(), "--messages", "2"); err != nil {
		t.Fatalf("initiator: %v\n%s", err, out)
	}
}

// An image that is not present locally is refused before testcontainers would try to pull it.
func TestRunNeverPulls(t *testing.T) {
	requireDocker(t)
	ctx := testContext(t)
	tg, err := Run(ctx, "rspcheck/not-built:never")
	if tg != nil || !errors.Is(err, ErrImageMissing) {
		t.Fatalf("Run of a missing image: %v, %v; want ErrImageMissing", tg, err)
	}
}

func TestContextArchiveRejectsBadNames(t *testing.T) {
	if _, err := Build(t.Context(), Image{Name: "no-tag"}); err == nil {
		t.Fatal("an image name without a tag was accepted")
	}
}
