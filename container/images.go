package container

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The project's own images. The gSOAP tag is the Debian package version it is built from.
const (
	RsppeerImage = "rspcheck/rsppeer:dev"
	GSOAPImage   = "rspcheck/gsoap:2.8.124"
	// GSOAPVersion is the Debian version of the gsoap and libgsoap-dev packages expected.
	GSOAPVersion = "2.8.124"
)

// ErrToolchainMissing means a build tool of an image is not installed (for gSOAP: run
// container/thirdparty/gsoap/deps.sh, which installs Debian's gsoap, libgsoap-dev, libssl-dev,
// zlib1g-dev and build-essential).
var ErrToolchainMissing = errors.New("toolchain missing")

// ModuleRoot returns the directory of the rspcheck module containing the working directory.
func ModuleRoot(ctx context.Context) (string, error) {
	out, err := command(ctx, "", nil, "go", "env", "GOMOD")
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(out)
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the rspcheck module: the images are built from its sources")
	}
	return filepath.Dir(gomod), nil
}

// BuildRsppeer compiles rsppeer and the image's entrypoint as static binaries (CGO_ENABLED=0,
// -trimpath, so unchanged sources give identical binaries and Docker's layer cache holds) and
// builds RsppeerImage from container/rsppeer/Dockerfile. root is the module root.
func BuildRsppeer(ctx context.Context, root string) (string, error) {
	dir, err := os.MkdirTemp("", "rspcheck-rsppeer-image-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	env := []string{"CGO_ENABLED=0", "GOOS=linux"}
	for bin, pkg := range map[string]string{"rsppeer": "./cmd/rsppeer", "entrypoint": "./container/rsppeer/cmd/entrypoint"} {
		if _, err := command(ctx, root, env, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", filepath.Join(dir, bin), pkg); err != nil {
			return "", fmt.Errorf("build %s: %w", bin, err)
		}
	}
	return Build(ctx, Image{
		Name:       RsppeerImage,
		Dockerfile: filepath.Join(root, "container", "rsppeer", "Dockerfile"),
		Files:      map[string]string{"rsppeer": filepath.Join(dir, "rsppeer"), "entrypoint": filepath.Join(dir, "entrypoint")},
		Dirs:       []string{"data"},
	})
}

// BuildGSOAP builds the gSOAP peer (make in container/thirdparty/gsoap: soapcpp2, then a
// static link against Debian's libgsoapssl, OpenSSL and zlib) and GSOAPImage from its
// Dockerfile. The object files stay in container/thirdparty/gsoap/build (gitignored), so an
// unchanged peer is not recompiled. It fails with ErrToolchainMissing when soapcpp2 or the
// static libraries are not installed, and when the installed gSOAP is not GSOAPVersion.
func BuildGSOAP(ctx context.Context, root string) (string, error) {
	if _, err := exec.LookPath("soapcpp2"); err != nil {
		return "", fmt.Errorf("%w: soapcpp2 not found (run container/thirdparty/gsoap/deps.sh)", ErrToolchainMissing)
	}
	for _, lib := range []string{"libgsoapssl.a", "libssl.a", "libcrypto.a", "libz.a"} {
		if _, err := os.Stat(filepath.Join("/usr/lib/x86_64-linux-gnu", lib)); err != nil {
			return "", fmt.Errorf("%w: %s not found (run container/thirdparty/gsoap/deps.sh)", ErrToolchainMissing, lib)
		}
	}
	src := filepath.Join(root, "container", "thirdparty", "gsoap")
	out := filepath.Join(src, "build")
	if _, err := command(ctx, src, nil, "make", "-s", "-j2", "OUT="+out); err != nil {
		return "", fmt.Errorf("build gsoap-peer: %w", err)
	}
	v, err := os.ReadFile(filepath.Join(out, "VERSION"))
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(strings.TrimSpace(string(v)), GSOAPVersion) {
		return "", fmt.Errorf("%w: gSOAP %s installed, the image is pinned to %s", ErrToolchainMissing, strings.TrimSpace(string(v)), GSOAPVersion)
	}
	return Build(ctx, Image{
		Name:       GSOAPImage,
		Dockerfile: filepath.Join(src, "Dockerfile"),
		Files:      map[string]string{"gsoap-peer": filepath.Join(out, "gsoap-peer"), "VERSION": filepath.Join(out, "VERSION")},
	})
}

// command runs name args in dir with extra environment and returns its standard output; the
// error carries the tail of its standard error.
func command(ctx context.Context, dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail(stderr.String()+stdout.String(), 3000))
	}
	return stdout.String(), nil
}
