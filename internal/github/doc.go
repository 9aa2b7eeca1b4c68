// Package github is orgnotify's client of the GitHub REST API: it keeps the
// one sticky comment orgnotify writes on a pull request, retrying what
// GitHub asks to be retried. What the comment says is package markdown's;
// where the job runs (token, pull request) is package actions'.
//
// The package is named for what it talks to; it imports go-github as gogithub.
package github
