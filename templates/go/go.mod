module ${REPO_NAME_KEBAB}

go 1.19
