package main

import "testing"

func TestSkipTable(t *testing.T) {
	run := []string{
		"stub.routing.test_routing_v5x0.RoutingV5x0.test_should_request_rt_from_all_initial_routers_until_successful_on_unknown_failure",
		"stub.routing.test_routing_v5x0.RoutingV5x0.test_should_read_successfully_from_reader_using_session_run",
		"stub.session_run.test_session_run.TestSessionRun.test_discard_on_session_close_untouched_result",
	}
	for _, id := range run {
		if r := skipReason(id); r != "" {
			t.Errorf("%s is skipped: %s", id, r)
		}
	}
	for _, s := range skips {
		if s.reason == "" {
			t.Errorf("skip %s has no reason", s.pattern)
		}
	}
}
