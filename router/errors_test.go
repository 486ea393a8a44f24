package router

import (
	"errors"
	"testing"
)

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&UnavailableError{}, `router: no routing table for the home database: no router was tried`},
		{&UnavailableError{Database: "db", Causes: []error{
			&FetchError{Router: "a:1", Err: errRefused},
			&InvalidTableError{Router: "b:1", Reason: "no readers"},
			&ResolveError{Address: "c:1", Err: ErrNoRouters},
		}}, `router: no routing table for database "db": router a:1: connection refused; ` +
			`router b:1 sent an invalid routing table: no readers; ` +
			`resolving the initial router c:1: router: no router address to ask for a routing table`},
		{&NoServersError{Database: "db", Mode: Write}, `router: the routing table of database "db" has no writer`},
		{&NoServersError{Mode: Read}, `router: the routing table of the home database has no reader`},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
	var nse error = &NoServersError{}
	if !errors.Is(nse, ErrNoServers) {
		t.Fatal("NoServersError does not wrap ErrNoServers")
	}
}
