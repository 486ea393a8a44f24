package boltrx_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/auth"
)

func ExampleGetRecordValue() {
	record := &boltrx.Record{
		Keys:   []string{"name", "nickname"},
		Values: []any{"Alice", nil},
	}
	name, _, err := boltrx.GetRecordValue[string](record, "name")
	fmt.Println(name, err)
	_, isNil, _ := boltrx.GetRecordValue[string](record, "nickname")
	fmt.Println("nickname is null:", isNil)
	_, _, err = boltrx.GetRecordValue[int64](record, "name")
	fmt.Println(err)
	// Output:
	// Alice <nil>
	// nickname is null: true
	// column "name" has type string, not int64
}

func ExampleNewBookmarkManager() {
	ctx := context.Background()
	manager := boltrx.NewBookmarkManager(boltrx.BookmarkManagerConfig{
		InitialBookmarks: boltrx.Bookmarks{"bm:1"},
		BookmarkConsumer: func(_ context.Context, bookmarks boltrx.Bookmarks) error {
			fmt.Println("persist", bookmarks)
			return nil
		},
	})
	// A transaction that started from bm:1 committed and returned bm:2:
	// bm:2 supersedes bm:1.
	_ = manager.UpdateBookmarks(ctx, boltrx.Bookmarks{"bm:1"}, boltrx.Bookmarks{"bm:2"})
	current, _ := manager.GetBookmarks(ctx)
	fmt.Println(current)
	// Output:
	// persist [bm:2]
	// [bm:2]
}

func ExampleCombineBookmarks() {
	fromSessionA := boltrx.Bookmarks{"bm:a1", "bm:shared"}
	fromSessionB := boltrx.Bookmarks{"bm:shared", "bm:b1"}
	fmt.Println(boltrx.CombineBookmarks(fromSessionA, fromSessionB))
	// Output: [bm:a1 bm:shared bm:b1]
}

func ExampleIsRetryable() {
	deadlock := &boltrx.Neo4jError{Code: "Neo.TransientError.Transaction.DeadlockDetected"}
	syntax := &boltrx.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError"}
	fmt.Println(boltrx.IsRetryable(fmt.Errorf("transfer: %w", deadlock)))
	fmt.Println(boltrx.IsRetryable(syntax))
	fmt.Println(boltrx.IsRetryable(errors.New("my own error")))
	// Output:
	// true
	// false
	// false
}

func ExampleBasicAuth() {
	token := boltrx.BasicAuth("neo4j", "s3cret", "")
	fmt.Println(token) // printing never shows the password
	// Output: auth.Token{credentials: <redacted>, principal: neo4j, scheme: basic}
}

func ExampleUsageError() {
	err := error(&boltrx.UsageError{Message: "Config.MaxConnectionPoolSize is 0"})
	fmt.Println(errors.Is(err, boltrx.ErrUsage))
	// Output: true
}

func Example_bearerTokenManager() {
	refreshes := 0
	manager := auth.BearerTokenManager(func(context.Context) (boltrx.AuthToken, *time.Time, error) {
		refreshes++
		expires := time.Now().Add(time.Hour)
		return boltrx.BearerAuth(fmt.Sprintf("sso-token-%d", refreshes)), &expires, nil
	})
	ctx := context.Background()
	for range 3 {
		_, _ = manager.GetAuthToken(ctx)
	}
	fmt.Println("refreshes:", refreshes)
	// Output: refreshes: 1
}

func ExampleDisableClassifications() {
	disabled := boltrx.DisableClassifications(boltrx.Hint, boltrx.Generic)
	fmt.Println(slices.Equal(disabled.DisabledClassifications(), []boltrx.NotificationClassification{"HINT", "GENERIC"}))
	// Output: true
}
