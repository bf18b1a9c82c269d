package transport

import (
	"bytes"
	"io"
)

// readBody reads r to the end into a buffer sized from the announced length (Content-Length,
// -1 when unknown), so that a body is read with one allocation instead of io.ReadAll's
// doubling; the announced length is only a hint, capped at max, never trusted for the result.
func readBody(r io.Reader, announced, max int64) ([]byte, error) {
	size := int64(512)
	if announced > 0 {
		size = min(announced, max) + 1 // +1: EOF is seen without a further growth
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}
