# Conveniences for a developer; CI runs `bash .ci/run` directly.
.PHONY: demo check

# The whole product against the local AWS simulator (see README, "Two commands").
demo:
	bash .ci/demo.sh

# Every check and test, as CI runs them.
check:
	bash .ci/run
