package trace

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Dir is the direction of a message as seen by the program writing the trace.
type Dir string

const (
	In  Dir = "in"
	Out Dir = "out"
)

// IndexFile is the name of the index in a trace directory.
const IndexFile = "index.jsonl"

// TimeFormat is RFC 3339 with milliseconds, in UTC.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// Event is what the caller knows about one message. Nothing here is secret, and nothing here
// can be: there is no field for keys or token secrets.
type Event struct {
	Time          time.Time // zero = now
	Dir           Dir
	Action        string // wsa:Action
	MessageID     string // wsa:MessageID
	RelatesTo     string // wsa:RelatesTo
	Sequence      string // wsrm:Identifier of the sequence, when the message belongs to one
	MessageNumber uint64 // wsrm:MessageNumber; 0 = none
	// Fault is the fault code (QName as {ns}local, or the subcode) when the message is one.
	Fault string
}

// Record is one line of index.jsonl.
type Record struct {
	N             int    `json:"n"`
	Time          string `json:"time"`
	Dir           Dir    `json:"dir"`
	Action        string `json:"action"`
	MessageID     string `json:"message_id,omitempty"`
	RelatesTo     string `json:"relates_to,omitempty"`
	Sequence      string `json:"sequence,omitempty"`
	MessageNumber uint64 `json:"message_number,omitempty"`
	Fault         string `json:"fault,omitempty"`
	File          string `json:"file"`
}

// Options tune a Writer.
type Options struct {
	// Sync makes every Write fsync the message file and the index before returning.
	Sync bool
}

// Writer writes a trace directory. It is safe for concurrent use: numbers are given in the
// order Write is called, and index lines are in number order.
type Writer struct {
	dir   string
	opt   Options
	mu    sync.Mutex
	n     int
	index *os.File
	err   error // sticky: after a failed write the numbering could have a hole
}

// NewWriter opens dir (creating it) for a trace. When dir already holds a trace — a peer
// restarted with the same --trace DIR — numbering continues after the highest number found,
// and nothing is overwritten.
func NewWriter(dir string, opt Options) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	n, err := lastNumber(dir)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, IndexFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	return &Writer{dir: dir, opt: opt, n: n, index: f}, nil
}

// lastNumber is the highest NNNNNN of the message files in dir.
func lastNumber(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("trace: %w", err)
	}
	last := 0
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(name, "-")
		if !ok || (rest != "in.xml" && rest != "out.xml") {
			continue
		}
		if n, err := strconv.Atoi(num); err == nil && n > last {
			last = n
		}
	}
	return last, nil
}

// Dir is the trace directory.
func (w *Writer) Dir() string { return w.dir }

// Write records one message: envelope is the exact bytes sent or received. It returns the
// message's number.
func (w *Writer) Write(ev Event, envelope []byte) (int, error) {
	if ev.Dir != In && ev.Dir != Out {
		return 0, fmt.Errorf("trace: direction %q is neither %q nor %q", ev.Dir, In, Out)
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return 0, w.err
	}
	if w.index == nil {
		return 0, errors.New("trace: writer closed")
	}
	n := w.n + 1
	name := fmt.Sprintf("%06d-%s.xml", n, ev.Dir)
	if err := w.writeFile(name, envelope); err != nil {
		return 0, err // the number is not used: the next Write takes it
	}
	rec := Record{N: n, Time: ev.Time.UTC().Format(TimeFormat), Dir: ev.Dir, Action: ev.Action,
		MessageID: ev.MessageID, RelatesTo: ev.RelatesTo, Sequence: ev.Sequence,
		MessageNumber: ev.MessageNumber, Fault: ev.Fault, File: name}
	line, err := json.Marshal(rec)
	if err != nil {
		return 0, fmt.Errorf("trace: %w", err)
	}
	if _, err := w.index.Write(append(line, '\n')); err != nil {
		w.err = fmt.Errorf("trace: index: %w", err)
		return 0, w.err
	}
	if w.opt.Sync {
		if err := w.index.Sync(); err != nil {
			w.err = fmt.Errorf("trace: index: %w", err)
			return 0, w.err
		}
	}
	w.n = n
	return n, nil
}

func (w *Writer) writeFile(name string, data []byte) error {
	// O_EXCL: a trace never overwrites evidence.
	f, err := os.OpenFile(filepath.Join(w.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	_, err = f.Write(data)
	if err == nil && w.opt.Sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(filepath.Join(w.dir, name))
		return fmt.Errorf("trace: %w", err)
	}
	return nil
}

// Close closes the index. Later Writes fail.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.index == nil {
		return nil
	}
	err := w.index.Close()
	w.index = nil
	return err
}

// ReadIndex reads index.jsonl content. Errors name the line.
func ReadIndex(r io.Reader) ([]Record, error) {
	var out []Record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(b, &rec); err != nil {
			return out, fmt.Errorf("trace index line %d: %w", line, err)
		}
		if rec.N <= 0 || (rec.Dir != In && rec.Dir != Out) || rec.File == "" {
			return out, fmt.Errorf("trace index line %d: n, dir and file are required", line)
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("trace index: %w", err)
	}
	return out, nil
}
