package topocnn

import (
	"fmt"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/topocnn/topocnn/pkg/backend"
	"github.com/topocnn/topocnn/pkg/gradients"
)

// NewBackend returns a new GoMLX backend chosen by backend.New: the topocnn backend unless
// GOMLX_BACKEND names another ("go" for GoMLX's plain pure-Go backend, "xla" in builds with the
// xla tag). It also registers the matrix-product gradient of package gradients.
func NewBackend() (backends.Backend, error) {
	gradients.Register()
	return backend.New()
}

// sharedBackend is the process-wide backend that Train and Open use.
var sharedBackend = sync.OnceValues(NewBackend)

// Backend returns the process-wide backend that Train and Open use, created by NewBackend on
// the first call.
func Backend() (backends.Backend, error) {
	return sharedBackend()
}

// checkTrainable returns an error if b cannot compute the gradients of the networks' layers.
// GoMLX v0.26.0's plain pure-Go backend runs their forward pass but lacks the Reverse and
// SelectAndScatterMax operations that the convolution and max-pool gradients need.
func checkTrainable(b backends.Backend) error {
	if b.String() == simplego.BackendName {
		return fmt.Errorf("topocnn: the plain pure-Go backend (GOMLX_BACKEND=%s) cannot train these networks: "+
			"it lacks the Reverse and SelectAndScatterMax operations of the convolution and max-pool gradients; "+
			"unset GOMLX_BACKEND to train on the topocnn backend, which runs the same pure-Go code with those "+
			"operations added", simplego.BackendName)
	}
	return nil
}
