package transport

import (
	"bytes"
	"io"
)

// readBody reads r to the end into a buffer sized from the announced length (Content-Length,
// -1 when unknown), so that a body is read with one allocation instead of io.ReadAll's
// doubling; the announced length is only a hint, capped at max, never trusted for the result.
func readBody(r io.Reader, announced, max int64) ([]byte, error) {
	size := int64(bytes.MinRead)
	if announced > 0 {
		// bytes.Buffer.ReadFrom grows the buffer whenever less than MinRead octets are free
		// before a read, the one that sees EOF included: room for that read is reserved so
		// that it does not double a buffer that already holds the whole body.
		size = min(announced, max) + bytes.MinRead
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}
