package bookmarks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

func sorted(b Bookmarks) Bookmarks {
	out := slices.Clone(b)
	slices.Sort(out)
	return out
}

func mustGet(t *testing.T, m Manager) Bookmarks {
	t.Helper()
	b, err := m.GetBookmarks(context.Background())
	if err != nil {
		t.Fatalf("GetBookmarks: %v", err)
	}
	return sorted(b)
}

func TestCombine(t *testing.T) {
	cases := []struct {
		in   []Bookmarks
		want Bookmarks
	}{
		{nil, nil},
		{[]Bookmarks{nil, {}}, nil},
		{[]Bookmarks{{"a", "b"}, {"b", "c"}, {"a"}}, Bookmarks{"a", "b", "c"}},
		{[]Bookmarks{{"", "x", ""}}, Bookmarks{"x"}},
		{[]Bookmarks{{"z", "y", "z"}}, Bookmarks{"z", "y"}},
	}
	for _, c := range cases {
		if got := Combine(c.in...); !slices.Equal(got, c.want) {
			t.Errorf("Combine(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	src := Bookmarks{"a"}
	out := Combine(src)
	out[0] = "changed"
	if src[0] != "a" {
		t.Fatal("Combine shares memory with its argument")
	}
	if got := Dedupe(Bookmarks{"q", "q", "r"}); !slices.Equal(got, Bookmarks{"q", "r"}) {
		t.Fatalf("Dedupe = %v", got)
	}
}

func TestManagerStartsWithInitialBookmarks(t *testing.T) {
	m := NewManager(Config{InitialBookmarks: Bookmarks{"b1", "b2", "b1", ""}})
	if got := mustGet(t, m); !slices.Equal(got, Bookmarks{"b1", "b2"}) {
		t.Fatalf("got %v", got)
	}
	if got := mustGet(t, NewManager(Config{})); len(got) != 0 {
		t.Fatalf("empty manager returned %v", got)
	}
}

func TestUpdateReplacesPreviousWithCurrent(t *testing.T) {
	m := NewManager(Config{InitialBookmarks: Bookmarks{"a", "b", "c"}})
	ctx := context.Background()
	if err := m.UpdateBookmarks(ctx, Bookmarks{"a", "b"}, Bookmarks{"d"}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, m); !slices.Equal(got, Bookmarks{"c", "d"}) {
		t.Fatalf("after update got %v, want [c d]", got)
	}
	// Previous bookmarks the manager never had are ignored.
	if err := m.UpdateBookmarks(ctx, Bookmarks{"zzz"}, Bookmarks{"e"}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, m); !slices.Equal(got, Bookmarks{"c", "d", "e"}) {
		t.Fatalf("got %v", got)
	}
}

func TestUpdateWithoutNewBookmarksChangesNothing(t *testing.T) {
	var consumed int
	m := NewManager(Config{
		InitialBookmarks: Bookmarks{"a"},
		BookmarkConsumer: func(context.Context, Bookmarks) error { consumed++; return nil },
	})
	if err := m.UpdateBookmarks(context.Background(), Bookmarks{"a"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, m); !slices.Equal(got, Bookmarks{"a"}) {
		t.Fatalf("got %v, want [a]", got)
	}
	if consumed != 0 {
		t.Fatalf("consumer called %d times", consumed)
	}
}

func TestSupplierBookmarksAreAddedNotStored(t *testing.T) {
	supply := Bookmarks{"ext1", "a"}
	m := NewManager(Config{
		InitialBookmarks: Bookmarks{"a"},
		BookmarkSupplier: func(context.Context) (Bookmarks, error) { return supply, nil },
	})
	if got := mustGet(t, m); !slices.Equal(got, Bookmarks{"a", "ext1"}) {
		t.Fatalf("got %v", got)
	}
	supply = nil
	if got := mustGet(t, m); !slices.Equal(got, Bookmarks{"a"}) {
		t.Fatalf("supplied bookmarks were stored: %v", got)
	}
}

func TestSupplierErrorFailsGetBookmarks(t *testing.T) {
	boom := errors.New("supplier down")
	m := NewManager(Config{
		BookmarkSupplier: func(context.Context) (Bookmarks, error) { return nil, boom },
	})
	if _, err := m.GetBookmarks(context.Background()); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}

func TestConsumerGetsTheNewSet(t *testing.T) {
	var got Bookmarks
	m := NewManager(Config{
		InitialBookmarks: Bookmarks{"a", "b"},
		BookmarkConsumer: func(_ context.Context, b Bookmarks) error { got = sorted(b); return nil },
	})
	if err := m.UpdateBookmarks(context.Background(), Bookmarks{"a"}, Bookmarks{"c"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, Bookmarks{"b", "c"}) {
		t.Fatalf("consumer got %v, want [b c]", got)
	}
}

func TestConsumerErrorIsReturnedButUpdateStays(t *testing.T) {
	boom := errors.New("disk full")
	m := NewManager(Config{
		BookmarkConsumer: func(context.Context, Bookmarks) error { return boom },
	})
	if err := m.UpdateBookmarks(context.Background(), nil, Bookmarks{"x"}); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if got := mustGet(t, m); !slices.Equal(got, Bookmarks{"x"}) {
		t.Fatalf("got %v", got)
	}
}

func TestConsumerMayReadTheManager(t *testing.T) {
	var m Manager
	var seen Bookmarks
	m = NewManager(Config{BookmarkConsumer: func(ctx context.Context, _ Bookmarks) error {
		var err error
		seen, err = m.GetBookmarks(ctx)
		return err
	}})
	if err := m.UpdateBookmarks(context.Background(), nil, Bookmarks{"x"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seen, Bookmarks{"x"}) {
		t.Fatalf("consumer saw %v", seen)
	}
}

func TestReturnedSlicesAreCopies(t *testing.T) {
	m := NewManager(Config{InitialBookmarks: Bookmarks{"a"}})
	b, _ := m.GetBookmarks(context.Background())
	b[0] = "mutated"
	if got := mustGet(t, m); !slices.Equal(got, Bookmarks{"a"}) {
		t.Fatalf("caller mutated the manager: %v", got)
	}
}

func TestConcurrentCausalChains(t *testing.T) {
	const sessions = 64
	initial := make(Bookmarks, sessions)
	for i := range initial {
		initial[i] = fmt.Sprintf("start-%d", i)
	}
	var inFlight, overlaps atomic.Int32
	var lastMu sync.Mutex
	var last Bookmarks
	m := NewManager(Config{
		InitialBookmarks: initial,
		BookmarkConsumer: func(_ context.Context, b Bookmarks) error {
			if inFlight.Add(1) > 1 {
				overlaps.Add(1)
			}
			defer inFlight.Add(-1)
			lastMu.Lock()
			last = sorted(b)
			lastMu.Unlock()
			return nil
		},
	})
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each session runs three transactions, each starting from the
			// bookmark the previous one ended with.
			prev := Bookmarks{initial[i]}
			for step := range 3 {
				if _, err := m.GetBookmarks(ctx); err != nil {
					t.Error(err)
					return
				}
				next := Bookmarks{fmt.Sprintf("s%d-t%d", i, step)}
				if err := m.UpdateBookmarks(ctx, prev, next); err != nil {
					t.Error(err)
					return
				}
				prev = next
			}
		}()
	}
	wg.Wait()
	want := make(Bookmarks, sessions)
	for i := range want {
		want[i] = fmt.Sprintf("s%d-t2", i)
	}
	want = sorted(want)
	if got := mustGet(t, m); !slices.Equal(got, want) {
		t.Fatalf("final bookmarks = %v\nwant %v", got, want)
	}
	if n := overlaps.Load(); n != 0 {
		t.Fatalf("consumer calls overlapped %d times", n)
	}
	if !slices.Equal(last, want) {
		t.Fatalf("the last set delivered to the consumer is %v, want the final set", last)
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
