package boltstub

import (
	"fmt"

	"github.com/boltrx/boltrx/packstream"
)

// Node, Relationship and Path.

// nodeGoValue builds a packstream.Node from canonical Node arguments.
func nodeGoValue(args []any) (any, error) {
	props, err := goValueOf(args[2])
	if err != nil {
		return nil, err
	}
	n := packstream.Node{Id: args[0].(int64), ElementId: args[3].(string), Props: props.(map[string]any)}
	for _, l := range args[1].(listValue) {
		n.Labels = append(n.Labels, l.(string))
	}
	if n.Labels == nil {
		n.Labels = []string{}
	}
	return n, nil
}

// relationshipGoValue builds a packstream.Relationship from canonical arguments.
func relationshipGoValue(args []any) (any, error) {
	props, err := goValueOf(args[4])
	if err != nil {
		return nil, err
	}
	return packstream.Relationship{
		Id: args[0].(int64), StartId: args[1].(int64), EndId: args[2].(int64), Type: args[3].(string),
		Props: props.(map[string]any), ElementId: args[5].(string), StartElementId: args[6].(string),
		EndElementId: args[7].(string),
	}, nil
}

// relationshipArgs gives the canonical arguments of a decoded relationship.
func relationshipArgs(r packstream.Relationship) ([]any, bool) {
	props, ok := mapFromGo(r.Props)
	return []any{r.Id, r.StartId, r.EndId, r.Type, props, r.ElementId, r.StartElementId, r.EndElementId}, ok
}

// pathGoValue builds a packstream.Path from lists of Node and Relationship
// structures, checking that they alternate.
func pathGoValue(args []any) (any, error) {
	var p packstream.Path
	for i, n := range args[0].(listValue) {
		s, ok := n.(*structValue)
		if !ok || s.Kind != kindNode {
			return nil, fmt.Errorf("node %d of the Path is not a Node(...)", i+1)
		}
		v, err := goValueOf(s)
		if err != nil {
			return nil, err
		}
		p.Nodes = append(p.Nodes, v.(packstream.Node))
	}
	for i, r := range args[1].(listValue) {
		s, ok := r.(*structValue)
		if !ok || s.Kind != kindRelationship {
			return nil, fmt.Errorf("relationship %d of the Path is not a Relationship(...)", i+1)
		}
		v, err := goValueOf(s)
		if err != nil {
			return nil, err
		}
		p.Relationships = append(p.Relationships, v.(packstream.Relationship))
	}
	if len(p.Nodes) == 0 || len(p.Relationships) != len(p.Nodes)-1 {
		return nil, fmt.Errorf("a Path needs n nodes and n-1 relationships, not %d and %d",
			len(p.Nodes), len(p.Relationships))
	}
	return p, nil
}
