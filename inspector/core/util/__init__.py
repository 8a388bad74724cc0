"""What every part of the engine uses: typed errors (:mod:`.errors`), one-line messages
(:mod:`.messages`), declared parameters (:mod:`.params`), bounds on numbers (:mod:`.bounds`), CPU
threads (:mod:`.threads`), the compute device (:mod:`.device`) and perturbation metrics (:mod:`.metrics`)."""
