package container

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// Image is a local image built from a Dockerfile. Either Context names a directory that is
// the build context (a vendor's image), or the context is assembled from Dockerfile, Files
// and Dirs (the project's images: binaries built elsewhere need not be copied next to the
// Dockerfile, and nothing of the source tree leaks into the context).
type Image struct {
	// Name is the repository:tag the image is built under, e.g. "rspcheck/rsppeer:dev".
	Name string
	// Context is a build context directory; Dockerfile is then relative to it (default
	// "Dockerfile") and Files and Dirs are not used.
	Context string
	// Dockerfile is the host path of the Dockerfile; it becomes "Dockerfile" in the context.
	Dockerfile string
	// Files maps context paths to host paths (file modes are kept).
	Files map[string]string
	// Dirs are empty directories created in the context (e.g. "data" for a volume's mount point).
	Dirs []string
}

// builds caches one build per image name and process: specs share the image, and a second
// build of an unchanged context costs a cache lookup anyway.
var builds sync.Map // name -> *buildOnce

type buildOnce struct {
	once sync.Once
	err  error
}

// Build builds img once per process with testcontainers' Docker provider and keeps the image
// (KeepImage), so later runs find it by tag. Nothing is pulled: the Dockerfiles of this project
// are FROM scratch, and a base image that is not present locally makes the build fail.
func Build(ctx context.Context, img Image) (string, error) {
	v, _ := builds.LoadOrStore(img.Name, &buildOnce{})
	b := v.(*buildOnce)
	b.once.Do(func() { b.err = build(ctx, img) })
	return img.Name, b.err
}

func build(ctx context.Context, img Image) error {
	var logs bytes.Buffer
	i := strings.LastIndex(img.Name, ":")
	repo, tag := img.Name[:max(i, 0)], img.Name[i+1:]
	if i < 0 || repo == "" || tag == "" || strings.Contains(tag, "/") {
		return fmt.Errorf("image name %q: want repository:tag", img.Name)
	}
	from := testcontainers.FromDockerfile{Context: img.Context, Dockerfile: img.Dockerfile}
	if img.Context == "" {
		archive, err := contextArchive(img)
		if err != nil {
			return fmt.Errorf("build %s: %w", img.Name, err)
		}
		from = testcontainers.FromDockerfile{ContextArchive: archive}
	}
	from.Repo, from.Tag, from.KeepImage, from.BuildLogWriter = repo, tag, true, &logs
	// no registry: never look for a newer base image
	from.BuildOptionsModifier = func(o *client.ImageBuildOptions) { o.PullParent = false }
	p, err := provider()
	if err != nil {
		return err
	}
	defer p.Close()
	if _, err := p.BuildImage(ctx, &testcontainers.ContainerRequest{FromDockerfile: from}); err != nil {
		return fmt.Errorf("build %s: %w\n%s", img.Name, err, tail(logs.String(), 2000))
	}
	return nil
}

// contextArchive writes the build context as a tar archive (fixed timestamps, sorted names).
func contextArchive(img Image) (io.ReadSeeker, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0)
	for _, d := range img.Dirs {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimSuffix(d, "/") + "/", Mode: 0o755, ModTime: epoch}); err != nil {
			return nil, err
		}
	}
	files := map[string]string{"Dockerfile": img.Dockerfile}
	for k, v := range img.Files {
		files[k] = v
	}
	names := make([]string, 0, len(files))
	for k := range files {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := addFile(tw, name, files[name], epoch); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return bytes.NewReader(buf.Bytes()), nil
}

func addFile(tw *tar.Writer, name, path string, mtime time.Time) error {
	if path == "" {
		return fmt.Errorf("context file %s: no host path", name)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("context file %s: %s is not a regular file", name, path)
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: int64(st.Mode().Perm()), Size: st.Size(), ModTime: mtime}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

// ErrImageMissing is returned by Run for an image that is not present locally: with no
// registry, it has to be built (Build, BuildRsppeer, BuildGSOAP, or container/build-images.sh).
var ErrImageMissing = errors.New("image not present locally (there is no registry to pull from): build it first")

// present reports whether the engine has the image, so that Run never falls back to a pull.
func present(ctx context.Context, p *testcontainers.DockerProvider, name string) error {
	if _, err := p.Client().ImageInspect(ctx, name); err != nil {
		return fmt.Errorf("%s: %w (%v)", name, ErrImageMissing, err)
	}
	return nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
