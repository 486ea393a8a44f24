package bolt

import (
	"bytes"
	"errors"
	"testing"
)

// ReceiveRecordRaw hands RECORDs of at least minSize bytes over undecoded
// and decodes smaller ones and every other response as Receive does; a
// RecordDecoder turns the bytes into the same values, and says what is
// wrong with bytes that are not a RECORD.
func TestReceiveRecordRaw(t *testing.T) {
	caps, _ := CapabilitiesFor(V5_8)
	var wire bytes.Buffer
	be := NewBackend(&wire, caps, 0)
	long := "a value long enough to make this record larger than the limit"
	for _, m := range []ResponseMessage{
		&Record{Values: []any{int64(1)}},
		&Record{Values: []any{int64(2), long}},
		&Success{HasMore: true, Present: KeyHasMore},
	} {
		if err := be.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := be.Flush(); err != nil {
		t.Fatal(err)
	}
	fe := NewFrontend(&wire, caps, 0)
	var resp Response
	raw, err := fe.ReceiveRecordRaw(&resp, 32)
	if err != nil || raw != nil || resp.Kind != ResponseRecord || len(resp.Record.Values) != 1 || resp.Record.Values[0] != int64(1) {
		t.Fatalf("small RECORD: raw %x, %v, %+v; want it decoded", raw, err, resp)
	}
	raw, err = fe.ReceiveRecordRaw(&resp, 32)
	if err != nil || raw == nil || resp.Kind != ResponseRecord || resp.Record.Values != nil {
		t.Fatalf("large RECORD: raw %x, %v, %+v; want its bytes", raw, err, resp)
	}
	rd := fe.NewRecordDecoder()
	values, err := rd.Decode(raw)
	if err != nil || len(values) != 2 || values[0] != int64(2) || values[1] != long {
		t.Fatalf("Decode = %v, %v", values, err)
	}
	raw, err = fe.ReceiveRecordRaw(&resp, 0)
	if err != nil || raw != nil || resp.Kind != ResponseSuccess || !resp.Success.HasMore {
		t.Fatalf("SUCCESS: raw %x, %v, %+v; want it decoded", raw, err, resp)
	}
	var pe *ProtocolError
	if _, err := rd.Decode([]byte{0xB1, TagSuccess, 0xA0}); !errors.As(err, &pe) {
		t.Fatalf("Decode of a SUCCESS = %v, want a *ProtocolError", err)
	}
	if _, err := rd.Decode([]byte{0xB1, TagRecord, 0x92, 0x01}); !errors.As(err, &pe) {
		t.Fatalf("Decode of a truncated RECORD = %v, want a *ProtocolError", err)
	}
}
