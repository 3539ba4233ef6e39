module github.com/apklens/apklens

go 1.26
