package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/rspcheck/rspcheck/container"
)

// The SCT the gSOAP images and the rsppeer peers agree on out of band in the interop matrix
// (test values, not credentials; the same as in container/thirdparty/gsoap/sut.yaml).
const (
	interopSCTID     = "urn:uuid:0b6f4d1e-5c55-4a3e-9d0e-6f6a2b1c9e01"
	interopSCTSecret = "cnNwY2hlY2stZ3NvYXAtdGVzdC1zZWNyZXQtMzJieXQ="
)

// interopPeer is one side of a pairing: how to start its image in a role.
type interopPeer struct {
	name  string
	image string
	// responder and initiator are the container specs; the initiator's TO is filled in.
	responder container.Spec
	initiator func(to string, messages int) container.Spec
	// delivered reads what the responder delivered (for the verdict), "" when it cannot say.
	ok func(initiatorLogs string, code int) (bool, string)
}

// runInterop implements `rspcheck interop`: every initiator image against every responder
// image (the project's rsppeer and the third-party gSOAP stack), one sequence of N messages
// each, with the SCT issued through WS-Trust where both sides can and provisioned out of band
// where gSOAP takes part. It writes DIR/matrix.md and one log per pairing; exit 0 when every
// pairing ran (a pairing that ran and failed is a finding, not an error of this command).
func runInterop(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("interop", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("report-dir", "reports/containers", "directory for matrix.md and the pairing logs")
	messages := fl.Int("messages", 5, "application messages per pairing")
	verbose := fl.Bool("v", false, "show testcontainers' progress")
	if err := fl.Parse(args); err != nil || fl.NArg() > 0 {
		if err == nil {
			fmt.Fprintf(stderr, "rspcheck interop: unexpected argument %q\n", fl.Arg(0))
		}
		return 2
	}
	if *verbose {
		container.LogTo(stderr)
	} else {
		container.LogTo(nil)
	}
	if ok, why := container.Available(); !ok {
		fmt.Fprintln(stderr, "rspcheck interop: no Docker engine:", why)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	root, err := container.ModuleRoot(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "rspcheck interop:", err)
		return 2
	}
	peers, err := interopPeers(ctx, root)
	if err != nil {
		fmt.Fprintln(stderr, "rspcheck interop:", err)
		return 2
	}
	gw, err := container.GatewayIP(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "rspcheck interop:", err)
		return 2
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(stderr, "rspcheck interop:", err)
		return 2
	}
	var rows []interopResult
	for _, ini := range peers {
		for _, resp := range peers {
			fmt.Fprintf(stderr, "interop: %s initiator -> %s responder\n", ini.name, resp.name)
			r := runPairing(ctx, ini, resp, gw, *messages, *dir)
			if r.err != nil {
				fmt.Fprintln(stderr, "rspcheck interop:", r.err)
				return 2
			}
			rows = append(rows, r)
		}
	}
	md := interopMarkdown(rows, *messages)
	if err := os.WriteFile(filepath.Join(*dir, "matrix.md"), []byte(md), 0o644); err != nil {
		fmt.Fprintln(stderr, "rspcheck interop:", err)
		return 2
	}
	fmt.Fprint(stdout, md)
	fmt.Fprintf(stdout, "\nmatrix: %s\n", filepath.Join(*dir, "matrix.md"))
	return 0
}

// interopPeers builds both images and describes how each runs in each role.
func interopPeers(ctx context.Context, root string) ([]interopPeer, error) {
	rimg, err := container.BuildRsppeer(ctx, root)
	if err != nil {
		return nil, err
	}
	gimg, err := container.BuildGSOAP(ctx, root)
	if err != nil {
		return nil, err
	}
	sct := interopSCTID + "=" + interopSCTSecret
	gsoapEnv := map[string]string{"SCT_ID": interopSCTID, "SCT_SECRET": interopSCTSecret}
	withEnv := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range gsoapEnv {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	summary := regexp.MustCompile(`(?m)^messages: .*$`)
	return []interopPeer{
		{
			name: "rsppeer", image: rimg,
			// the responder also knows the provisioned SCT, for initiators without WS-Trust
			responder: container.Spec{Image: rimg, Role: "responder", Path: "/rm", Args: []string{"--sct", sct}},
			initiator: func(to string, n int) container.Spec {
				return container.Spec{Image: rimg, Role: "initiator", Health: "exit",
					Env: map[string]string{"TO": to, "MESSAGES": fmt.Sprint(n)}}
			},
			ok: func(logs string, code int) (bool, string) {
				if code == 0 {
					return true, summary.FindString(logs)
				}
				return false, lastLines(logs, 2)
			},
		},
		{
			name: "gSOAP 2.8.124", image: gimg,
			responder: container.Spec{Image: gimg, Role: "server", Env: gsoapEnv},
			initiator: func(to string, n int) container.Spec {
				return container.Spec{Image: gimg, Role: "client", Health: "exit",
					Env: withEnv(map[string]string{"TO": to, "MESSAGES": fmt.Sprint(n), "VERIFY": "0"})}
			},
			ok: func(logs string, code int) (bool, string) {
				if code == 0 {
					return true, strings.Join(regexp.MustCompile(`(?m)^gsoap-client: (TerminateSequence|unacknowledged).*$`).FindAllString(logs, -1), "; ")
				}
				return false, lastLines(logs, 4)
			},
		},
	}, nil
}

type interopResult struct {
	initiator, responder string
	sct                  string
	ok                   bool
	detail               string
	log                  string
	err                  error // the pairing could not run at all
}

// runPairing starts resp's responder container, runs ini's initiator container against it
// through the bridge gateway, and keeps both logs.
func runPairing(ctx context.Context, ini, resp interopPeer, gw string, messages int, dir string) interopResult {
	r := interopResult{initiator: ini.name, responder: resp.name, sct: "WS-Trust issuance"}
	rs := resp.responder
	var extra []string
	if ini.name != resp.name || strings.HasPrefix(ini.name, "gSOAP") {
		// gSOAP has neither a WS-Trust issuer nor an SCT client: the SCT is agreed out of band
		r.sct = "provisioned out of band"
		if ini.name == "rsppeer" {
			extra = []string{"--sct", interopSCTID + "=" + interopSCTSecret}
		}
	}
	rt, err := container.Start(ctx, rs)
	if rt != nil {
		defer func() { _ = rt.Stop(context.Background()) }()
	}
	if err != nil {
		r.err = fmt.Errorf("%s responder: %w", resp.name, err)
		return r
	}
	u, err := url.Parse(rt.Endpoint())
	if err != nil {
		r.err = err
		return r
	}
	to := "http://" + gw + ":" + u.Port() + u.Path
	spec := ini.initiator(to, messages)
	spec.Args = append(spec.Args, extra...)
	it, err := container.Start(ctx, spec)
	if it != nil {
		defer func() { _ = it.Stop(context.Background()) }()
	}
	if err != nil {
		r.err = fmt.Errorf("%s initiator: %w", ini.name, err)
		return r
	}
	code, err := it.ExitCode(ctx)
	if err != nil {
		r.err = fmt.Errorf("%s initiator: %w", ini.name, err)
		return r
	}
	ilogs, rlogs := it.LogsString(ctx), rt.LogsString(ctx)
	r.ok, r.detail = ini.ok(ilogs, code)
	if !r.ok {
		r.detail = fmt.Sprintf("exit %d: %s", code, r.detail)
	}
	r.log = slug(ini.name) + "-to-" + slug(resp.name) + ".log"
	body := fmt.Sprintf("# %s initiator -> %s responder at %s (SCT: %s)\n\n## initiator (exit %d)\n%s\n## responder\n%s",
		ini.name, resp.name, to, r.sct, code, ilogs, rlogs)
	if err := os.WriteFile(filepath.Join(dir, r.log), []byte(body), 0o644); err != nil {
		r.err = err
	}
	return r
}

func interopMarkdown(rows []interopResult, messages int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Interop matrix\n\nOne sequence of %d messages per pairing, each peer in its own container (`rspcheck interop`).\n\n", messages)
	b.WriteString("| initiator → responder | SCT | result | detail | log |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		res := "✗ fails"
		if r.ok {
			res = "✓ completes"
		}
		fmt.Fprintf(&b, "| %s → %s | %s | %s | %s | [%s](%s) |\n", r.initiator, r.responder, r.sct, res,
			strings.ReplaceAll(strings.ReplaceAll(r.detail, "|", "\\|"), "\n", " "), r.log, r.log)
	}
	return b.String()
}

func slug(s string) string {
	return strings.Trim(regexp.MustCompile(`[^a-z0-9.]+`).ReplaceAllString(strings.ToLower(s), "-"), "-")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " / ")
}
