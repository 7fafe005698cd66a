// Command serve runs the email notifier as a plugin process, for the
// plugin's process test.
package main

import (
	"github.com/vakt/vakt/plugins/email"
	"github.com/vakt/vakt/plugins/sdk"
)

func main() { sdk.ServeNotifier(email.New()) }
