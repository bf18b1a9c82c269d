package trace

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
)

// Delivery is one line of a delivered log: a message handed to the application.
type Delivery struct {
	Sequence      string `json:"sequence"`
	MessageNumber uint64 `json:"message_number"`
	SHA256        string `json:"sha256"` // hex of the payload's SHA-256 (PayloadDigest)
}

// PayloadDigest is the SHA-256 of a payload in hex, as a delivered log records it; the sender
// computes the same to match what it sent with what was delivered.
func PayloadDigest(payload []byte) string {
	sum := sha256.Sum256(payload)
	return hex.EncodeToString(sum[:])
}

// DeliveredLog appends one JSON line per delivered message to a file that is never truncated,
// so that it stays the ground truth across restarts of the peer. Each line is written with a
// single write on an O_APPEND file. Safe for concurrent use.
type DeliveredLog struct {
	mu   sync.Mutex
	f    *os.File
	sync bool
}

// OpenDelivered opens path for appending; with sync, every Record is fsynced before it
// returns (a killed process loses nothing either way; sync covers a lost machine).
func OpenDelivered(path string, sync bool) (*DeliveredLog, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("delivered: %w", err)
	}
	return &DeliveredLog{f: f, sync: sync}, nil
}

// Record writes the line of one delivered message.
func (d *DeliveredLog) Record(sequence string, number uint64, payload []byte) error {
	line, err := json.Marshal(Delivery{Sequence: sequence, MessageNumber: number, SHA256: PayloadDigest(payload)})
	if err != nil {
		return fmt.Errorf("delivered: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f == nil {
		return errors.New("delivered: closed")
	}
	if _, err := d.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("delivered: %w", err)
	}
	if d.sync {
		if err := d.f.Sync(); err != nil {
			return fmt.Errorf("delivered: %w", err)
		}
	}
	return nil
}

// Close closes the file.
func (d *DeliveredLog) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f == nil {
		return nil
	}
	err := d.f.Close()
	d.f = nil
	return err
}

// ReadDelivered reads a delivered log. A last line without its newline (the writer was killed
// mid-line) is an error like any malformed line; errors name the line.
func ReadDelivered(r io.Reader) ([]Delivery, error) {
	var out []Delivery
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if err == io.EOF && line == "" {
			return out, nil
		}
		if err != nil && err != io.EOF {
			return out, fmt.Errorf("delivered: %w", err)
		}
		if err == io.EOF {
			return out, fmt.Errorf("delivered line %d: incomplete line (no newline)", n)
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		var dl Delivery
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&dl); err != nil {
			return out, fmt.Errorf("delivered line %d: %w", n, err)
		}
		if dl.Sequence == "" || dl.MessageNumber == 0 || len(dl.SHA256) != 64 {
			return out, fmt.Errorf("delivered line %d: sequence, message_number (from 1) and a 64-digit sha256 are required", n)
		}
		out = append(out, dl)
	}
}

// Expect says what a delivered log should contain for one sequence.
type Expect struct {
	// Count is the number of messages sent: numbers 1..Count must each be delivered once.
	Count uint64
	// InOrder requires ascending numbers (the InOrder delivery assurance).
	InOrder bool
	// Digests, when set, gives the expected PayloadDigest per message number.
	Digests map[uint64]string
}

// Verify checks deliveries against expectations per sequence: exactly once (no duplicate, no
// gap, nothing beyond Count), in order when asked, payloads intact, and no sequence that was not
// expected. It reports every problem found, sorted, in one error.
func Verify(ds []Delivery, want map[string]Expect) error {
	var problems []string
	bySeq := map[string][]Delivery{}
	for _, d := range ds {
		bySeq[d.Sequence] = append(bySeq[d.Sequence], d)
	}
	for seq := range bySeq {
		if _, ok := want[seq]; !ok {
			problems = append(problems, fmt.Sprintf("sequence %s: %d deliveries, none expected", seq, len(bySeq[seq])))
		}
	}
	for seq, exp := range want {
		problems = append(problems, verifySequence(seq, bySeq[seq], exp)...)
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Strings(problems)
	return errors.New("delivered: " + strings.Join(problems, "; "))
}

func verifySequence(seq string, ds []Delivery, exp Expect) []string {
	var out []string
	count := map[uint64]int{}
	var last uint64
	for _, d := range ds {
		count[d.MessageNumber]++
		if count[d.MessageNumber] == 2 {
			out = append(out, fmt.Sprintf("sequence %s: message %d delivered more than once", seq, d.MessageNumber))
		}
		if d.MessageNumber > exp.Count {
			out = append(out, fmt.Sprintf("sequence %s: message %d delivered, only %d sent", seq, d.MessageNumber, exp.Count))
		}
		if exp.InOrder && d.MessageNumber < last {
			out = append(out, fmt.Sprintf("sequence %s: message %d delivered after %d", seq, d.MessageNumber, last))
		}
		last = max(last, d.MessageNumber)
		if want, ok := exp.Digests[d.MessageNumber]; ok && want != d.SHA256 {
			out = append(out, fmt.Sprintf("sequence %s: message %d payload differs (sha256 %s, sent %s)", seq, d.MessageNumber, d.SHA256, want))
		}
	}
	var missing []string
	for i := uint64(1); i <= exp.Count; i++ {
		if count[i] == 0 {
			missing = append(missing, fmt.Sprint(i))
			if len(missing) == 20 {
				missing = append(missing, "...")
				break
			}
		}
	}
	if len(missing) > 0 {
		out = append(out, fmt.Sprintf("sequence %s: not delivered: %s", seq, strings.Join(missing, ",")))
	}
	return out
}
