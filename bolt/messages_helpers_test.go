package bolt

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/boltrx/boltrx/packstream"
)

// hx turns "B1 01 A4" into bytes.
func hx(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// ps is a PackStream string written by hand: tiny (80+len) below 16 bytes,
// STRING_8 (D0 len) below 256.
func ps(s string) []byte {
	switch {
	case len(s) < 16:
		return append([]byte{0x80 | byte(len(s))}, s...)
	case len(s) < 256:
		return append([]byte{0xD0, byte(len(s))}, s...)
	}
	panic("ps: string too long for a test")
}

// cat concatenates byte parts; a string part is hex.
func cat(parts ...any) []byte {
	var out []byte
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			out = append(out, hx(v)...)
		case []byte:
			out = append(out, v...)
		default:
			panic("cat: bad part")
		}
	}
	return out
}

func capsOf(t testing.TB, v Version) *Capabilities {
	t.Helper()
	c, ok := CapabilitiesFor(v)
	if !ok {
		t.Fatalf("no capabilities for %s", v)
	}
	return c
}

func encodeRequest(t testing.TB, caps *Capabilities, req Request) ([]byte, error) {
	t.Helper()
	enc := packstream.Encoder{Dialect: caps.Dialect(false)}
	err := EncodeRequest(&enc, caps, req)
	return bytes.Clone(enc.Buffer()), err
}

func encodeResponse(t testing.TB, caps *Capabilities, resp ResponseMessage) ([]byte, error) {
	t.Helper()
	enc := packstream.Encoder{Dialect: caps.Dialect(false)}
	err := EncodeResponse(&enc, caps, resp)
	return bytes.Clone(enc.Buffer()), err
}

func diffBytes(t *testing.T, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("bytes differ\n got: % X\nwant: % X", got, want)
	}
}
