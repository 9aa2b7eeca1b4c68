// Package contract holds SDK-level tests that run the same calls against
// every SQS/SNS implementation orgnotify's tests may use: awssim, always,
// and goaws (github.com/Admiral-Piett/goaws), when GOAWS_BIN names a built
// goaws binary (.ci/goaws/build.sh builds one). A behaviour both share is
// asserted once; where goaws and the AWS documentation disagree, awssim
// follows the documentation and the test states each target's expectation.
// DIFFERENCES.md lists those differences.
//
// With GOAWS_BIN unset the goaws leg is skipped, unless CI is set: then it
// fails, so CI cannot silently lose the comparison.
package contract
