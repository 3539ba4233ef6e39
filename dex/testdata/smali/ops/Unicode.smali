.class final Lcom/example/ops/Ünïcode$日本;
.super Ljava/lang/Object;

.method static names()V
    .registers 2
    const-string v0, "nul\u0000inside"
    const-string v1, "emoji \ud83d\udca9 and lone \ud800 surrogate"
    const-string v0, "é 日本 \u07ff \u0800 \uffff"
    invoke-static {}, Lcom/example/ops/Ünïcode$日本;->méthode()V
    return-void
.end method

.method static méthode()V
    .registers 0
    return-void
.end method
