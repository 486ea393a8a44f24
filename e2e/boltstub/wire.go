package boltstub

import (
	"errors"
	"fmt"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/packstream"
)

// message is a Bolt message in the stub's model: its tag and fields.
type message struct {
	tag    byte
	fields []any
}

// name is the message's name on protocol version v, or its tag in hex.
func (m *message) name(v bolt.Version) string {
	if n := bolt.MessageName(m.tag, v); n != "" {
		return n
	}
	return string(appendTag(nil, m.tag))
}

// render shows the message as a script line, e.g. `C: PULL {"n": 1000}`.
func (m *message) render(prefix string, v bolt.Version) string {
	b := []byte(prefix)
	b = append(b, m.name(v)...)
	for _, f := range m.fields {
		b = append(b, ' ')
		b = appendValue(b, f)
	}
	return cutOff(string(b))
}

var errTrailingBytes = errors.New("bytes left after the message structure")

// decodeMessage reads one dechunked message (bolt.Backend.ReceiveMessage
// frames it): a structure whose tag is the message and whose fields are
// values. It is not bolt's request decoder on purpose: the stub checks what
// the client sent, not what bolt makes of it, so it decodes any tag and any
// fields into the script's model. Maps keep their key order; structures
// package packstream cannot hydrate (unknown tags, a legacy DateTime on
// Bolt 5, ...) are kept as raw Struct(tag, fields...).
func decodeMessage(b []byte, dialect packstream.Dialect) (*message, error) {
	r := wireReader{}
	r.d.Dialect = dialect
	r.d.Reset(b)
	tag, n, err := r.d.ReadStructHeader()
	if err != nil {
		return nil, err
	}
	msg := &message{tag: tag, fields: make([]any, 0, min(n, r.d.Remaining()))}
	for i := 0; i < n; i++ {
		v, err := r.value(1)
		if err != nil {
			return nil, fmt.Errorf("field %d: %w", i+1, err)
		}
		msg.fields = append(msg.fields, v)
	}
	if r.d.Remaining() > 0 {
		return nil, fmt.Errorf("%w (%d)", errTrailingBytes, r.d.Remaining())
	}
	return msg, nil
}

type wireReader struct {
	d packstream.Decoder
}

// value reads one value at the given nesting depth.
func (r *wireReader) value(depth int) (any, error) {
	if depth > packstream.MaxDepth {
		return nil, fmt.Errorf("%w: more than %d levels", packstream.ErrTooDeep, packstream.MaxDepth)
	}
	kind, err := r.d.PeekKind()
	if err != nil {
		return nil, err
	}
	switch kind {
	case packstream.KindList:
		n, err := r.d.ReadListHeader()
		if err != nil {
			return nil, err
		}
		l := make(listValue, 0, min(n, r.d.Remaining()))
		for i := 0; i < n; i++ {
			v, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case packstream.KindMap:
		n, err := r.d.ReadMapHeader()
		if err != nil {
			return nil, err
		}
		m := &mapValue{}
		for i := 0; i < n; i++ {
			k, err := r.d.ReadString()
			if err != nil {
				return nil, err
			}
			v, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			m.Keys = append(m.Keys, k)
			m.Values = append(m.Values, v)
		}
		return m, nil
	case packstream.KindStruct:
		return r.structure(depth)
	}
	v, err := r.d.ReadValue()
	if err != nil {
		return nil, err
	}
	if u, ok := v.(packstream.UUID); ok {
		return &structValue{Kind: kindUUID, Args: []any{u.String()}}, nil
	}
	return v, nil
}

// structure reads a structure: hydrated by packstream when it can, raw
// otherwise.
func (r *wireReader) structure(depth int) (any, error) {
	start := r.d // the decoder is a plain cursor: a copy can rewind it
	tag, n, err := r.d.ReadStructHeader()
	if err != nil {
		return nil, err
	}
	if kind := kindByTag[tag]; kind != nil {
		r.d = start
		if v, err := r.d.ReadValue(); err == nil {
			if args, ok := kind.fromGo(v); ok {
				return &structValue{Kind: kind, Args: args}, nil
			}
		}
		r.d = start
		if _, _, err = r.d.ReadStructHeader(); err != nil {
			return nil, err
		}
	}
	s := &structValue{Kind: kindRaw, Tag: tag, Args: make([]any, 0, min(n, r.d.Remaining()))}
	for i := 0; i < n; i++ {
		v, err := r.value(depth + 1)
		if err != nil {
			return nil, err
		}
		s.Args = append(s.Args, v)
	}
	return s, nil
}

// encodeMessage appends a message with the given tag and fields.
func encodeMessage(e *packstream.Encoder, tag byte, fields []any) error {
	e.WriteStructHeader(tag, len(fields))
	for i, f := range fields {
		if err := writeValue(e, f); err != nil {
			return fmt.Errorf("field %d: %w", i+1, err)
		}
	}
	return e.Err()
}

// writeValue appends one value of the stub's model.
func writeValue(e *packstream.Encoder, v any) error {
	switch v := v.(type) {
	case listValue:
		e.WriteListHeader(len(v))
		for _, x := range v {
			if err := writeValue(e, x); err != nil {
				return err
			}
		}
	case *mapValue:
		e.WriteMapHeader(v.Len())
		for i, k := range v.Keys {
			e.WriteString(k)
			if err := writeValue(e, v.Values[i]); err != nil {
				return err
			}
		}
	case *structValue:
		switch {
		case v.Kind == kindRaw:
			e.WriteStructHeader(v.Tag, len(v.Args))
			for _, x := range v.Args {
				if err := writeValue(e, x); err != nil {
					return err
				}
			}
		case v.Kind.encode != nil:
			return v.Kind.encode(e, v.Args)
		default:
			g, err := v.Kind.goValue(v.Kind.complete(v.Args))
			if err != nil {
				return err
			}
			return e.WriteValue(g)
		}
	default:
		return e.WriteValue(v)
	}
	return e.Err()
}
