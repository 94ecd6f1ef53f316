"""The enterprise owner's portal: register with a Udyam number, consent to data sources, see the
report card and the case's progress, answer what is asked (issue 5)."""
