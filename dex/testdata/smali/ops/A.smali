.class public Lcom/example/A;
.super Ljava/lang/Object;
.implements Ljava/lang/Runnable;
.source "A.java"

.field private static s:Ljava/lang/String;
.field private n:I

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public run()V
    .registers 6
    const-string v0, "hello\u0000w\u00e9\ud83d\ude00"
    sput-object v0, Lcom/example/A;->s:Ljava/lang/String;
    iget v1, p0, Lcom/example/A;->n:I
    packed-switch v1, :pswitch_data
    const-class v2, Landroid/location/LocationManager;
    new-instance v3, Ljava/lang/StringBuilder;
    invoke-direct {v3}, Ljava/lang/StringBuilder;-><init>()V
    invoke-virtual {v3, v0}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    const/4 v4, 3
    new-array v4, v4, [I
    fill-array-data v4, :arr
    invoke-static/range {v0 .. v4}, Lcom/example/B;->many(Ljava/lang/String;ILjava/lang/Class;Ljava/lang/StringBuilder;[I)V
    :pswitch
    return-void
    :pswitch_data
    .packed-switch 0x1
        :pswitch
        :pswitch
    .end packed-switch
    :arr
    .array-data 4
        0x1 0x2 0x3
    .end array-data
.end method
