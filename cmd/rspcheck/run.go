package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/rspcheck/rspcheck/internal/assertions"
	conformance "github.com/rspcheck/rspcheck/internal/report"
	"github.com/rspcheck/rspcheck/peer"
	"github.com/rspcheck/rspcheck/suite/framework"
	"github.com/rspcheck/rspcheck/suite/runner"
)

// runRun implements `rspcheck run`: the conformance specs against the embedded reference
// peers (default, both roles), an endpoint URL or a SUT descriptor; reports are written
// first, then the summary is printed; exit 1 iff a MUST failed or the baseline broke.
func runRun(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("run", flag.ContinueOnError)
	fl.SetOutput(stderr)
	target := fl.String("target", "", "URL of a SUT responder (full capabilities assumed; use --sut to declare them)")
	image := fl.String("image", "", "run the SUT from a container image: a Dockerfile directory, a local image tag, or rsppeer (needs --role)")
	sutFile := fl.String("sut", "", "SUT descriptor (YAML): product, role, endpoint, SCT source, capabilities, baseline")
	role := fl.String("role", "", "run only the specs for a SUT in this role: responder or initiator (embedded peers)")
	listen := fl.String("listen", "", "address of the scripted responder for an external SUT initiator")
	profile := fl.String("profile", "p11", "p11 or p05")
	soapV := fl.String("soap", "1.2", "1.2 or 1.1")
	strict := fl.Bool("strict", false, "fail SHOULD and MAY deviations")
	labels := fl.String("label-filter", "", "Ginkgo label filter, e.g. 'phase:establish && level:MUST'")
	reportDir := fl.String("report-dir", "reports", "directory for junit.xml, report.json, conformance.json/.md, index.html")
	dry := fl.Bool("dry-run", false, "list the specs that would run, run nothing")
	misbehave := fl.String("misbehave", "", "misbehaviour knobs of the embedded reference peers (self-validation)")
	baselineFile := fl.String("baseline", "", "expected-failure baseline (YAML map ID: reason); a descriptor's baseline is used otherwise")
	verbose := fl.Bool("v", false, "show Ginkgo's own output")
	ids, flags := splitIDs(args)
	if err := fl.Parse(flags); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "rspcheck run: unexpected argument %q (assertion ID prefixes are upper case, e.g. RM-STR)\n", fl.Arg(0))
		return 2
	}
	if err := checkIDs(ids); err != nil {
		fmt.Fprintln(stderr, "rspcheck run:", err)
		return 2
	}
	cfg, info, base, err := runConfig(*target, *sutFile, *role, *profile, *soapV, *baselineFile)
	if err == nil && *image != "" {
		if *target != "" || *sutFile != "" {
			err = errors.New("--image excludes --target and --sut (a descriptor's container block does the same)")
		} else if cfg.SUT, err = imageSUT(*image, *role, *profile, *soapV); err == nil {
			info = conformance.SUT{Product: cfg.SUT.Product, Version: cfg.SUT.Version, Role: *role,
				Profile: strings.ToUpper(*profile), SOAP: *soapV}
		}
	}
	if err == nil && base != nil {
		err = checkBaseline(base, *baselineFile, cfg.SUT)
	}
	if err != nil {
		fmt.Fprintln(stderr, "rspcheck run:", err)
		return 2
	}
	cfg.Listen, cfg.Strict = *listen, *strict
	if cfg.SUT != nil && cfg.SUT.Container != nil && !*dry {
		if err := os.MkdirAll(*reportDir, 0o755); err != nil {
			fmt.Fprintln(stderr, "rspcheck run:", err)
			return 2
		}
		fmt.Fprintf(stderr, "rspcheck run: starting the SUT container (%s)...\n", cfg.SUT.File)
		var tclog io.Writer
		if *verbose {
			tclog = stderr
		}
		stop, err := startContainerSUT(context.Background(), &cfg, *reportDir, tclog)
		if err != nil {
			fmt.Fprintln(stderr, "rspcheck run:", err)
			return 2
		}
		defer func() {
			if err := stop(); err != nil {
				fmt.Fprintln(stderr, "rspcheck run: container log:", err)
			}
		}()
		info.Log = "sut-container.log"
		info.Endpoint = "container " + cfg.SUT.Container.Image
		if cfg.SUT.Endpoint != "" {
			info.Endpoint += " at " + cfg.SUT.Endpoint
		}
	}
	for _, k := range strings.Split(*misbehave, ",") {
		if k = strings.TrimSpace(k); k != "" {
			cfg.Misbehave = append(cfg.Misbehave, k)
		}
	}
	opt := runner.Options{Config: cfg, ReportDir: *reportDir, IDs: ids, LabelFilter: *labels, DryRun: *dry,
		Baseline: base, Progress: stderr, Tool: "rspcheck " + version, SUTInfo: info}
	if *verbose {
		opt.GinkgoOutput = stdout
	}
	if f, ok := stderr.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			opt.ProgressLive = true
		}
	}
	run, sum, err := runner.Run(opt)
	if run == nil {
		fmt.Fprintln(stderr, "rspcheck run:", err)
		return 2
	}
	printSummary(stdout, run, sum, *reportDir)
	if err != nil {
		fmt.Fprintln(stderr, "rspcheck run:", err)
		return 2
	}
	return conformance.ExitCode(run, base, *strict)
}

// checkIDs refuses an assertion-ID prefix that names no assertion of the catalogue: a typo
// would otherwise select nothing and the run would pass with no assertion judged.
func checkIDs(ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	cat, err := assertions.Load()
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.ContainsFunc(cat.All(), func(a assertions.Assertion) bool { return strings.HasPrefix(a.ID, id) }) {
			return fmt.Errorf("%q is the prefix of no assertion ID in the catalogue (`rspcheck assertions` lists them)", id)
		}
	}
	return nil
}

// checkBaseline refuses a baseline that names an assertion the catalogue does not have: the
// entry (a typo, or an ID since renamed) would never match a result and its failure would not
// be expected after all. The error names the file the baseline came from.
func checkBaseline(base *conformance.Baseline, file string, sut *framework.SUT) error {
	cat, err := assertions.Load()
	if err != nil {
		return err
	}
	if err := base.Check(cat); err != nil {
		if file == "" && sut != nil {
			file = sut.File
		}
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// splitIDs separates positional assertion-ID prefixes from flags and their values.
func splitIDs(args []string) (ids, flags []string) {
	valued := map[string]bool{"image": true, "target": true, "sut": true, "role": true, "listen": true, "profile": true, "soap": true,
		"label-filter": true, "report-dir": true, "misbehave": true, "baseline": true}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if valued[name] && !strings.Contains(name, "=") && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
			continue
		}
		ids = append(ids, a)
	}
	return ids, flags
}

// runConfig builds the run's configuration from the command line.
func runConfig(target, sutFile, role, profile, soapV, baselineFile string) (framework.Config, conformance.SUT, *conformance.Baseline, error) {
	var cfg framework.Config
	var err error
	if cfg.Profile, err = peer.ParseProfile(profile); err != nil {
		return cfg, conformance.SUT{}, nil, err
	}
	if cfg.SOAP, err = peer.ParseSOAP(soapV); err != nil {
		return cfg, conformance.SUT{}, nil, err
	}
	info := conformance.SUT{Product: "rspcheck reference peers", Version: version, Role: "responder, initiator",
		Endpoint: "embedded", Profile: strings.ToUpper(cfg.Profile.String()), SOAP: soapV}
	switch {
	case target != "" && sutFile != "":
		return cfg, info, nil, errors.New("--target and --sut exclude each other")
	case sutFile != "":
		if cfg.SUT, err = framework.LoadSUT(sutFile); err != nil {
			return cfg, info, nil, err
		}
	case target != "":
		if cfg.SUT, err = framework.TargetSUT(target, profile, soapV); err != nil {
			return cfg, info, nil, err
		}
	}
	if cfg.SUT != nil {
		info = conformance.SUT{Product: cfg.SUT.Product, Version: cfg.SUT.Version, Role: string(cfg.SUT.Role),
			Endpoint: cfg.SUT.Endpoint, Profile: strings.ToUpper(cfg.SUT.Profile), SOAP: cfg.SUT.SOAP}
	} else if role != "" {
		r := framework.Role(role)
		if r != framework.Responder && r != framework.Initiator {
			return cfg, info, nil, fmt.Errorf("--role %q (want responder or initiator)", role)
		}
		cfg.Roles = []framework.Role{r}
		info.Role = role
	}
	var base *conformance.Baseline
	switch {
	case baselineFile != "":
		data, err := os.ReadFile(baselineFile)
		if err != nil {
			return cfg, info, nil, err
		}
		if base, err = conformance.ParseBaseline(data); err != nil {
			return cfg, info, nil, fmt.Errorf("%s: %w", baselineFile, err)
		}
	case cfg.SUT != nil && len(cfg.SUT.Baseline) > 0:
		base = &conformance.Baseline{Entries: cfg.SUT.Baseline}
	}
	return cfg, info, base, nil
}

// printSummary prints the run's summary last (after the reports are written).
func printSummary(w io.Writer, run *conformance.Run, sum conformance.Summary, dir string) {
	fmt.Fprintf(w, "rspcheck run: %s %s (%s, %s, SOAP %s) in %s\n", run.SUT.Product, run.SUT.Version, run.SUT.Role,
		run.SUT.Profile, run.SUT.SOAP, run.Duration.Round(time.Millisecond))
	for _, v := range conformance.Verdicts {
		if n := sum.Counts[v]; n > 0 {
			fmt.Fprintf(w, "  %-20s %d\n", v, n)
		}
	}
	for _, r := range run.Results {
		if r.Verdict == conformance.Fail || r.Verdict == conformance.UnexpectedPass {
			fmt.Fprintf(w, "  %s %s [%s] %s\n", strings.ToUpper(string(r.Verdict)), r.ID, r.Level, r.Title)
		}
	}
	fmt.Fprintf(w, "reports: %s/index.html, junit.xml, conformance.md, conformance.json, report.json\n", dir)
}
