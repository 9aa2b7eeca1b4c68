package github

import (
	"fmt"
	"net/http"
	"time"

	gogithub "github.com/google/go-github/v60/github"
)

// NewClient returns a go-github client for apiURL (https://api.github.com
// when empty, or a GitHub Enterprise API URL) authenticated with token,
// with a timeout so that a hung connection cannot hold the job.
func NewClient(apiURL, token string) (*gogithub.Client, error) {
	c := gogithub.NewClient(&http.Client{Timeout: 30 * time.Second}).WithAuthToken(token)
	if apiURL == "" || apiURL == "https://api.github.com" {
		return c, nil
	}
	// WithEnterpriseURLs adds /api/v3/ unless the URL already ends in it or
	// is an api.* host, which covers both GHES and GHE.com (api.<tenant>.ghe.com).
	c, err := c.WithEnterpriseURLs(apiURL, apiURL)
	if err != nil {
		return nil, fmt.Errorf("github api url %q: %w", apiURL, err)
	}
	return c, nil
}
