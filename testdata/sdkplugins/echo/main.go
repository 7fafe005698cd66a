// Command echo is the test plugin the SDK's tests run as a real process.
// It serves the check and notifier plugins of testplugin; with the argument
// notifier-only it serves only the notifier.
package main

import (
	"os"

	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/testdata/sdkplugins/testplugin"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "notifier-only" {
		sdk.ServeNotifier(testplugin.Notifier{})
		return
	}
	sdk.Serve(sdk.Plugins{Check: testplugin.NewChecker(), Notifier: testplugin.Notifier{}})
}
