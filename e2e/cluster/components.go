package cluster

import (
	"strings"

	"github.com/boltrx/boltrx/e2e/server"
)

// isComponentsCall reports a call of dbms.components(), which tools use to
// ask the server's version and edition.
func isComponentsCall(query string) bool {
	q := strings.ToLower(strings.Join(strings.Fields(query), " "))
	return strings.HasPrefix(q, "call dbms.components()")
}

// componentsCursor answers dbms.components(): name, versions, edition.
func componentsCursor(agent string) server.Cursor {
	_, version, _ := strings.Cut(agent, "/")
	return server.NewRowsCursor([]string{"name", "versions", "edition"},
		[][]any{{"Neo4j Kernel", []any{version}, "enterprise"}}, server.Summary{QueryType: "r"})
}
