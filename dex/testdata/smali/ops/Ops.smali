.class public abstract Lcom/example/ops/Ops;
.super Lcom/example/A;
.implements Ljava/util/List;
.implements Ljava/io/Serializable;
.source "Ops.java"

.field public static flag:Z
.field public wide:J
.field protected arr:[Ljava/lang/Object;

.method static constructor <clinit>()V
    .registers 1
    const/4 v0, 1
    sput-boolean v0, Lcom/example/ops/Ops;->flag:Z
    return-void
.end method

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Lcom/example/A;-><init>()V
    return-void
.end method

.method public abstract size()I
.end method

.method public native nativeCall(J)V
.end method

.method public formats(IJ)J
    .registers 300
    nop
    move v0, v1
    move/from16 v0, v255
    move/16 v256, v257
    move-wide v2, v4
    move-wide/from16 v2, v260
    move-wide/16 v270, v272
    move-object v0, v1
    move-object/from16 v0, v255
    move-object/16 v256, v257
    const/4 v0, -1
    const/16 v0, 1000
    const v0, 0x12345678
    const/high16 v0, 0x7f000000
    const-wide/16 v2, 5
    const-wide/32 v2, 0x10000
    const-wide v2, 0x123456789abcdefL
    const-wide/high16 v2, 0x4000000000000000L
    const-string/jumbo v5, "jumbo"
    cmp-long v0, v2, v4
    cmpl-float v0, v1, v5
    if-eq v0, v1, :skip
    if-nez v0, :skip
    add-int v0, v0, v1
    add-int/2addr v0, v1
    add-int/lit16 v0, v1, 1000
    mul-int/lit8 v0, v1, 3
    neg-long v2, v4
    int-to-long v2, v0
    goto :skip
    :skip
    goto/16 :skip2
    :skip2
    goto/32 :skip3
    :skip3
    return-wide v2
.end method

.method public ops()V
    .registers 12
    const/4 v0, 0
    const/4 v1, 1
    :skip
    nop
    :skip2
    nop
    :skip3
    iget-wide v2, p0, Lcom/example/ops/Ops;->wide:J
    iput-wide v2, p0, Lcom/example/ops/Ops;->wide:J
    iget-object v6, p0, Lcom/example/ops/Ops;->arr:[Ljava/lang/Object;
    sget-boolean v0, Lcom/example/ops/Ops;->flag:Z
    aget-object v7, v6, v0
    array-length v0, v6
    instance-of v0, v7, Ljava/lang/String;
    check-cast v7, Ljava/lang/String;
    filled-new-array {v0, v1}, [I
    move-result-object v8
    filled-new-array/range {v0 .. v1}, [I
    move-result-object v8
    sparse-switch v0, :sswitch
    packed-switch v0, :pswitch
    invoke-super {p0}, Lcom/example/A;->run()V
    invoke-interface {p0}, Ljava/util/List;->size()I
    move-result v0
    invoke-interface/range {p0 .. p0}, Ljava/util/List;->isEmpty()Z
    invoke-virtual/range {p0 .. p0}, Lcom/example/ops/Ops;->size()I
    invoke-direct/range {p0 .. p0}, Lcom/example/ops/Ops;->priv()V
    invoke-super/range {p0 .. p0}, Lcom/example/A;->run()V
    invoke-static {}, Landroid/telephony/TelephonyManager;->getDefault()Landroid/telephony/TelephonyManager;
    const/4 v0, 5
    new-array v9, v0, [B
    fill-array-data v9, :bytes
    new-array v9, v0, [J
    fill-array-data v9, :longs
    monitor-enter p0
    monitor-exit p0
    :try_start
    const-string v0, "try"
    :try_end
    .catch Ljava/lang/RuntimeException; {:try_start .. :try_end} :handler
    return-void
    :handler
    move-exception v0
    throw v0
    :sswitch
    .sparse-switch
        0x1 -> :skip
        0x100 -> :skip2
        0x7fffffff -> :skip3
    .end sparse-switch
    :pswitch
    .packed-switch -0x2
        :skip
        :skip2
    .end packed-switch
    :bytes
    .array-data 1
        0x1t 0x2t 0x3t 0x4t 0x5t
    .end array-data
    :longs
    .array-data 8
        0x1L 0x2L
    .end array-data
.end method

.method private priv()V
    .registers 1
    return-void
.end method
