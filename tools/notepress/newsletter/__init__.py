"""The internal customer-insight newsletter: compose, render, archive, send."""
