"""The internal customer-insight newsletter: draft (compose, render, archive), recipients, send."""
