// Command serve runs the sms notifier as a plugin process, for the
// plugin's process test.
package main

import (
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sms"
)

func main() { sdk.ServeNotifier(sms.New()) }
