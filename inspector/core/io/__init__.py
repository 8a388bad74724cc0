"""What goes in and out: image files (:mod:`.image`), atomic writes (:mod:`.files`), output folders
(:mod:`.out_folder`), files that may come from an attacker (:mod:`.untrusted`, :mod:`.file_fields`),
the shipped resources (:mod:`.resources`), data sets (:mod:`.datasets`) and pictures of
perturbations (:mod:`.visualize`, :mod:`.figure`)."""
