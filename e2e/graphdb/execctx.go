package graphdb

import (
	"context"
	"strconv"
	"strings"

	"github.com/boltrx/boltrx/packstream"
)

// writeCtx gives a query of the write transaction access to the graph's
// mutation functions.
type writeCtx struct {
	g *graph
	w *writeState
}

// execCtx is the state of one query execution.
type execCtx struct {
	ctx    context.Context
	v      *view
	wc     *writeCtx
	params map[string]any
	stats  Counters
	steps  int
	nSlots int
	// nodes deleted without DETACH, checked for relationships at the end
	deletedNodes []int64
}

// tickEvery is how many rows pass between two context checks.
const tickEvery = 1024

// tick checks for cancellation every tickEvery calls.
func (ec *execCtx) tick() error {
	ec.steps++
	if ec.steps%tickEvery != 0 {
		return nil
	}
	if err := ec.ctx.Err(); err != nil {
		return contextError(err)
	}
	return nil
}

// property returns t.key for a node, relationship or map (null for null).
func (ec *execCtx) property(t any, key string) (any, error) {
	switch x := t.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return x[key], nil
	case nodeRef:
		ver := ec.v.node(int64(x))
		if ver == nil {
			return nil, entityGone("Node", int64(x))
		}
		return ver.props.get(key), nil
	case relRef:
		ver, _ := ec.v.rel(int64(x))
		if ver == nil {
			return nil, entityGone("Relationship", int64(x))
		}
		return ver.props.get(key), nil
	}
	return nil, typeError("Type mismatch: expected a map, node or relationship but was %s", typeName(t))
}

func entityGone(kind string, id int64) *Error {
	return newError(CodeEntityNotFound, "%s with id %d has been deleted in this transaction", kind, id)
}

// elementID returns the element id of a node ("4:<db uuid>:<id>") or a
// relationship ("5:<db uuid>:<id>").
func (ec *execCtx) elementID(kind byte, id int64) string {
	b := make([]byte, 0, 2+len(ec.v.g.uuid)+1+20)
	b = append(b, kind, ':')
	b = append(b, ec.v.g.uuid...)
	b = append(b, ':')
	return string(strconv.AppendInt(b, id, 10))
}

// parseElementID reads the id out of an element id of this database
// ("<kind>:<uuid>:<id>").
func (ec *execCtx) parseElementID(kind byte, s string) (int64, bool) {
	prefix := string(kind) + ":" + ec.v.g.uuid + ":"
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id >= 0
}

// output converts a value for a result row: bound entities become
// packstream values with copied properties.
func (ec *execCtx) output(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, int64, float64, string:
		return v, nil
	case nodeRef:
		return ec.nodeValue(int64(x))
	case relRef:
		return ec.relValue(int64(x))
	case *pathRef:
		return ec.pathValue(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			o, err := ec.output(e)
			if err != nil {
				return nil, err
			}
			out[i] = o
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			o, err := ec.output(e)
			if err != nil {
				return nil, err
			}
			out[k] = o
		}
		return out, nil
	}
	return cloneOut(v), nil
}

func (ec *execCtx) nodeValue(id int64) (packstream.Node, error) {
	ver := ec.v.node(id)
	if ver == nil {
		return packstream.Node{}, entityGone("Node", id)
	}
	labels := ec.v.nodeLabels(id).names
	return packstream.Node{
		Id:        id,
		ElementId: ec.elementID('4', id),
		Labels:    append(make([]string, 0, len(labels)), labels...),
		Props:     ver.props.toMap(),
	}, nil
}

func (ec *execCtx) relValue(id int64) (packstream.Relationship, error) {
	ver, rec := ec.v.rel(id)
	if ver == nil {
		return packstream.Relationship{}, entityGone("Relationship", id)
	}
	return packstream.Relationship{
		Id:             id,
		ElementId:      ec.elementID('5', id),
		StartId:        rec.start,
		StartElementId: ec.elementID('4', rec.start),
		EndId:          rec.end,
		EndElementId:   ec.elementID('4', rec.end),
		Type:           rec.typ,
		Props:          ver.props.toMap(),
	}, nil
}

func (ec *execCtx) pathValue(p *pathRef) (packstream.Path, error) {
	out := packstream.Path{
		Nodes:         make([]packstream.Node, len(p.nodes)),
		Relationships: make([]packstream.Relationship, len(p.rels)),
	}
	for i, id := range p.nodes {
		n, err := ec.nodeValue(id)
		if err != nil {
			return packstream.Path{}, err
		}
		out.Nodes[i] = n
	}
	for i, id := range p.rels {
		r, err := ec.relValue(id)
		if err != nil {
			return packstream.Path{}, err
		}
		out.Relationships[i] = r
	}
	return out, nil
}
