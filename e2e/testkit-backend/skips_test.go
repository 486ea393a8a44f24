package main

import "testing"

func TestSkipTable(t *testing.T) {
	skipped := []string{
		"stub.iteration.test_result_single.TestResultSingle.test_result_single_with_0_records",
		"stub.iteration.test_result_single.TestResultSingle.test_result_single_with_2_records",
		"stub.iteration.test_result_optional_single.TestResultSingleOptional.test_result_single_optional_with_2_records",
	}
	for _, id := range skipped {
		if skipReason(id) == "" {
			t.Errorf("%s is not skipped", id)
		}
	}
	run := []string{
		"stub.routing.test_routing_v5x0.RoutingV5x0.test_should_request_rt_from_all_initial_routers_until_successful_on_unknown_failure",
		"stub.routing.test_routing_v5x0.RoutingV5x0.test_should_read_successfully_from_reader_using_session_run",
		"stub.session_run.test_session_run.TestSessionRun.test_discard_on_session_close_untouched_result",
		"stub.iteration.test_result_single.TestResultSingle.test_result_single_with_1_records",
		"stub.iteration.test_result_optional_single.TestResultSingleOptional.test_result_single_optional_with_0_records",
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
