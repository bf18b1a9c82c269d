package report

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The files WriteAll writes into the report directory.
const (
	JUnitFile    = "junit.xml"
	JSONFile     = "conformance.json"
	MarkdownFile = "conformance.md"
	HTMLFile     = "index.html"
)

// WriteAll writes junit.xml, conformance.json, conformance.md and index.html into dir
// (created if missing), each atomically, and returns their paths. The baseline (nil: none)
// is applied to what the files show; the run itself is not changed. It writes every file it
// can and returns the first error.
func WriteAll(dir string, run *Run, b *Baseline) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{JUnitFile, func(w io.Writer) error { return WriteJUnit(w, run, b) }},
		{JSONFile, func(w io.Writer) error { return WriteJSON(w, run, b) }},
		{MarkdownFile, func(w io.Writer) error { return WriteMarkdown(w, run, b) }},
		{HTMLFile, func(w io.Writer) error { return WriteHTML(w, run, b) }},
	}
	var paths []string
	var first error
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := WriteFileAtomic(p, f.write); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		paths = append(paths, p)
	}
	return paths, first
}

// WriteFileAtomic writes a file through a temporary file in the same directory, synced and
// renamed into place: readers see the old file or the complete new one, never a partial
// one, and a failed write leaves the old file untouched. The file is mode 0644.
func WriteFileAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
