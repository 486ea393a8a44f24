package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeFailure is a ServerError with a given code.
type fakeFailure string

func (f fakeFailure) Error() string     { return "server failure " + string(f) }
func (f fakeFailure) Neo4jCode() string { return string(f) }

func bearer(n int) Token {
	return Token{Tokens: map[string]any{KeyScheme: "bearer", KeyCredentials: fmt.Sprintf("token-%d", n)}}
}

// fakeClock is a settable clock for expiry tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestBearerManagerRefreshesOnExpiry(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	var calls int
	m := BearerTokenManager(func(context.Context) (Token, *time.Time, error) {
		calls++
		expires := clock.Now().Add(10 * time.Second)
		return bearer(calls), &expires, nil
	}).(*cachingManager)
	m.now = clock.Now
	ctx := context.Background()

	mustToken(t, m, bearer(1))
	clock.Advance(9 * time.Second)
	mustToken(t, m, bearer(1))
	if calls != 1 {
		t.Fatalf("provider called %d times before expiry, want 1", calls)
	}
	clock.Advance(time.Second) // exactly at the expiry time: expired
	mustToken(t, m, bearer(2))
	if calls != 2 {
		t.Fatalf("provider called %d times, want 2", calls)
	}
	if _, err := m.GetAuthToken(ctx); err != nil || calls != 2 {
		t.Fatalf("fresh token was not cached: calls=%d err=%v", calls, err)
	}
}

func TestBearerManagerWithoutExpiryKeepsToken(t *testing.T) {
	var calls int
	m := BearerTokenManager(func(context.Context) (Token, *time.Time, error) {
		calls++
		return bearer(calls), nil, nil
	})
	for range 5 {
		mustToken(t, m, bearer(1))
	}
	if calls != 1 {
		t.Fatalf("provider called %d times, want 1", calls)
	}
}

func TestManagersHandleTheirCodes(t *testing.T) {
	cases := []struct {
		name    string
		make    func(provider func(context.Context) (Token, error)) TokenManager
		code    string
		handled bool
	}{
		{"basic/unauthorized", basicFrom, CodeUnauthorized, true},
		{"basic/token expired", basicFrom, CodeTokenExpired, false},
		{"basic/forbidden", basicFrom, "Neo.ClientError.Security.Forbidden", false},
		{"bearer/unauthorized", bearerFrom, CodeUnauthorized, true},
		{"bearer/token expired", bearerFrom, CodeTokenExpired, true},
		{"bearer/authorization expired", bearerFrom, "Neo.ClientError.Security.AuthorizationExpired", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var calls int
			m := c.make(func(context.Context) (Token, error) {
				calls++
				return bearer(calls), nil
			})
			ctx := context.Background()
			mustToken(t, m, bearer(1))
			handled, err := m.HandleSecurityException(ctx, bearer(1), fakeFailure(c.code))
			if err != nil || handled != c.handled {
				t.Fatalf("HandleSecurityException = %v, %v; want %v", handled, err, c.handled)
			}
			want := bearer(1)
			if c.handled {
				want = bearer(2) // the rejected token was forgotten
			}
			mustToken(t, m, want)
		})
	}
}

func TestRejectionOfAnOlderTokenKeepsTheNewOne(t *testing.T) {
	var calls int
	m := BasicTokenManager(func(context.Context) (Token, error) {
		calls++
		return bearer(calls), nil
	})
	ctx := context.Background()
	mustToken(t, m, bearer(1))
	if ok, _ := m.HandleSecurityException(ctx, bearer(1), fakeFailure(CodeUnauthorized)); !ok {
		t.Fatal("not handled")
	}
	mustToken(t, m, bearer(2))
	// A connection still using token 1 fails later: token 2 must survive.
	if ok, _ := m.HandleSecurityException(ctx, bearer(1), fakeFailure(CodeUnauthorized)); !ok {
		t.Fatal("not handled")
	}
	mustToken(t, m, bearer(2))
	if calls != 2 {
		t.Fatalf("provider called %d times, want 2", calls)
	}
}

func TestHandleSecurityExceptionWithNilFailure(t *testing.T) {
	m := BasicTokenManager(func(context.Context) (Token, error) { return bearer(1), nil })
	if ok, err := m.HandleSecurityException(context.Background(), bearer(1), nil); ok || err != nil {
		t.Fatalf("nil failure handled: %v, %v", ok, err)
	}
}

func TestProviderErrorIsReturnedAndNotCached(t *testing.T) {
	boom := errors.New("vault unreachable")
	fail := true
	m := BasicTokenManager(func(context.Context) (Token, error) {
		if fail {
			return Token{}, boom
		}
		return bearer(7), nil
	})
	if _, err := m.GetAuthToken(context.Background()); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the provider's error", err)
	}
	fail = false
	mustToken(t, m, bearer(7))
}

func TestNilProvider(t *testing.T) {
	for _, m := range []TokenManager{BasicTokenManager(nil), BearerTokenManager(nil)} {
		if _, err := m.GetAuthToken(context.Background()); !errors.Is(err, ErrNilProvider) {
			t.Fatalf("err = %v, want ErrNilProvider", err)
		}
	}
}

func TestRefreshIsSingleFlight(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	var calls atomic.Int32
	m := BearerTokenManager(func(context.Context) (Token, *time.Time, error) {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
		}
		return bearer(int(calls.Load())), nil, nil
	})
	ctx := context.Background()

	const waiters = 32
	results := make(chan Token, waiters+1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tok, _ := m.GetAuthToken(ctx)
		results <- tok
	}()
	<-entered // the first caller is inside the provider
	for range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, _ := m.GetAuthToken(ctx)
			results <- tok
		}()
	}
	close(release)
	wg.Wait()
	close(results)
	if n := calls.Load(); n != 1 {
		t.Fatalf("provider called %d times, want 1", n)
	}
	for tok := range results {
		if !tok.Equal(bearer(1)) {
			t.Fatalf("a caller got %v, want token-1", tok)
		}
	}
}

func TestWaitingForRefreshRespectsContext(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	m := BearerTokenManager(func(context.Context) (Token, *time.Time, error) {
		close(entered)
		<-release
		return bearer(1), nil, nil
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = m.GetAuthToken(context.Background())
	}()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.GetAuthToken(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := m.HandleSecurityException(ctx, bearer(1), fakeFailure(CodeTokenExpired)); !errors.Is(err, context.Canceled) {
		t.Fatalf("HandleSecurityException err = %v, want context.Canceled", err)
	}
	close(release)
	<-done
}

func basicFrom(provider func(context.Context) (Token, error)) TokenManager {
	return BasicTokenManager(provider)
}

func bearerFrom(provider func(context.Context) (Token, error)) TokenManager {
	return BearerTokenManager(func(ctx context.Context) (Token, *time.Time, error) {
		tok, err := provider(ctx)
		return tok, nil, err
	})
}

func mustToken(t *testing.T, m TokenManager, want Token) {
	t.Helper()
	got, err := m.GetAuthToken(context.Background())
	if err != nil {
		t.Fatalf("GetAuthToken: %v", err)
	}
	if !got.Equal(want) {
		t.Fatalf("GetAuthToken = %v (credentials %v), want credentials %v", got, got.Tokens[KeyCredentials], want.Tokens[KeyCredentials])
	}
}
