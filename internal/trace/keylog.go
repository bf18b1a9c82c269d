package trace

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode"
)

// KeyLogLabel is the first field of a key log line for a security context token.
const KeyLogLabel = "SCT"

// KeyLog appends token secrets to a file, one line "SCT <Identifier> <base64 secret>" per
// token, so that a capture can be verified offline (as SSLKEYLOGFILE does for TLS). The file
// is created with mode 0600 and tightened to 0600 if it already exists more open; identical
// lines are written once, also across restarts. A renewed token (same Identifier, new secret)
// gets a line of its own. Safe for concurrent use.
type KeyLog struct {
	mu   sync.Mutex
	f    *os.File
	seen map[string]bool
}

// OpenKeyLog opens path for appending.
func OpenKeyLog(path string) (*KeyLog, error) {
	seen := map[string]bool{}
	if old, err := os.ReadFile(path); err == nil {
		for _, l := range strings.Split(string(old), "\n") {
			seen[strings.TrimSpace(l)] = true
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("keylog: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("keylog: %w", err)
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return nil, fmt.Errorf("keylog: %s is readable by others and cannot be restricted: %w", path, err)
		}
	}
	return &KeyLog{f: f, seen: seen}, nil
}

// Log writes the line of a token. The identifier must be non-empty and free of white space
// (it is a URI, urn:uuid:... in practice); the secret must be non-empty. Errors never contain
// the secret.
func (k *KeyLog) Log(identifier string, secret []byte) error {
	if err := checkIdentifier(identifier); err != nil {
		return err
	}
	if len(secret) == 0 {
		return fmt.Errorf("keylog: empty secret for %s", identifier)
	}
	line := KeyLogLabel + " " + identifier + " " + base64.StdEncoding.EncodeToString(secret)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.f == nil {
		return errors.New("keylog: closed")
	}
	if k.seen[line] {
		return nil
	}
	if _, err := io.WriteString(k.f, line+"\n"); err != nil {
		return fmt.Errorf("keylog: writing the line of %s: %w", identifier, err)
	}
	k.seen[line] = true
	return nil
}

func checkIdentifier(id string) error {
	if id == "" {
		return errors.New("keylog: empty identifier")
	}
	if strings.IndexFunc(id, unicode.IsSpace) >= 0 || strings.IndexFunc(id, unicode.IsControl) >= 0 {
		return fmt.Errorf("keylog: identifier %q contains white space or control characters", id)
	}
	return nil
}

// Close closes the file.
func (k *KeyLog) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.f == nil {
		return nil
	}
	err := k.f.Close()
	k.f = nil
	return err
}

// KeyLogEntry is one line of a key log.
type KeyLogEntry struct {
	Line       int
	Identifier string
	Secret     []byte
}

// ReadKeyLog reads a key log into a map from Identifier to secret. When an identifier has
// several lines (a renewed token), the last one wins; ReadKeyLogEntries keeps them all. Blank
// lines and lines starting with '#' are skipped. Errors name the line and repeat none of its
// fields (with the fields out of order, any of them could be the secret).
func ReadKeyLog(r io.Reader) (map[string][]byte, error) {
	entries, err := ReadKeyLogEntries(r)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(entries))
	for _, e := range entries {
		out[e.Identifier] = e.Secret
	}
	return out, nil
}

// ReadKeyLogEntries reads every line of a key log, in order.
func ReadKeyLogEntries(r io.Reader) ([]KeyLogEntry, error) {
	var out []KeyLogEntry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			return nil, fmt.Errorf("keylog line %d: want %q, found %d fields", n, "SCT <Identifier> <base64 secret>", len(fields))
		}
		if fields[0] != KeyLogLabel {
			// The field is not repeated: a line with its fields out of order could start
			// with the secret.
			return nil, fmt.Errorf("keylog line %d: the first field is not %s", n, KeyLogLabel)
		}
		secret, err := base64.StdEncoding.DecodeString(fields[2])
		if err != nil {
			var ce base64.CorruptInputError
			if errors.As(err, &ce) {
				return nil, fmt.Errorf("keylog line %d: the third field is not standard base64 (bad byte at offset %d)", n, int64(ce))
			}
			return nil, fmt.Errorf("keylog line %d: the third field is not standard base64", n)
		}
		if len(secret) == 0 {
			return nil, fmt.Errorf("keylog line %d: empty secret", n)
		}
		out = append(out, KeyLogEntry{Line: n, Identifier: fields[1], Secret: secret})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("keylog: %w", err)
	}
	return out, nil
}
