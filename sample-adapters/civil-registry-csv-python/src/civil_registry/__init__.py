"""The civil-registry CSV adapter's translations, free of the component's bindings.

`record` translates batches of birth registrations (the request leg), `receipt` the answers
to them (the reply leg); `table` and `national` read the two forms, `checks` and `dates` hold
every rule about a single value, and `violations` collects what is wrong. Nothing here
imports the generated `wit_world` modules: the hub is reached through a host object passed
in, so the same code runs inside the component and natively under `unittest`.
"""
